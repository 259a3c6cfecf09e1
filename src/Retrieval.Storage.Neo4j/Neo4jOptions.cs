using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Retrieval.Storage.Neo4j;

/// <summary>Configuration section <c>Retrieval:Storage:Neo4j</c> (used when <c>Retrieval:Storage:Graph</c> is <c>neo4j</c>).</summary>
public sealed class Neo4jOptions
{
    public const string Section = "Retrieval:Storage:Neo4j";

    /// <summary>Base URL of Neo4j's HTTP server (the Query API lives under <c>/db/{Database}/query/v2</c>).</summary>
    public string Endpoint { get; set; } = "http://localhost:7474";

    /// <summary>The database that holds the graph (Community Edition has one: <c>neo4j</c>).</summary>
    public string Database { get; set; } = "neo4j";

    /// <summary>User for HTTP basic authentication; empty when the server runs without authentication.</summary>
    public string User { get; set; } = "neo4j";

    public string Password { get; set; } = string.Empty;

    /// <summary>Time one HTTP attempt may take before it is abandoned (and retried when retries are left).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a request that failed transiently (connection failure, 408/429/5xx, <c>Neo.TransientError.*</c>).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry delay; later ones back off exponentially, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Rows per <c>UNWIND … MERGE</c> write statement.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 1000;
}

/// <summary>Checks what data annotations cannot: an absolute http(s) endpoint and a plain database name.</summary>
internal sealed class Neo4jOptionsValidator : IValidateOptions<Neo4jOptions>
{
    public ValidateOptionsResult Validate(string? name, Neo4jOptions options)
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{Neo4jOptions.Section}:Endpoint: '{options.Endpoint}' is not an absolute http(s) URL (e.g. http://localhost:7474).");
        }

        if (string.IsNullOrWhiteSpace(options.Database) || !options.Database.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            errors.Add($"{Neo4jOptions.Section}:Database: '{options.Database}' is not a Neo4j database name (letters, digits, '.', '-', '_').");
        }

        if (!string.IsNullOrEmpty(options.User) && string.IsNullOrEmpty(options.Password))
        {
            errors.Add($"{Neo4jOptions.Section}:Password: required when {Neo4jOptions.Section}:User is set (leave User empty for a server without authentication).");
        }

        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            errors.AddRange(results.Select(r => $"{Neo4jOptions.Section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
