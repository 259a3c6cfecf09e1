using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using Retrieval.Core;

namespace Retrieval.Storage.Neo4j;

/// <summary>A Cypher statement and its parameters (values are serialized as JSON: strings, numbers, lists, maps).</summary>
public sealed record CypherQuery(string Statement, IReadOnlyDictionary<string, object?> Parameters);

/// <summary>
/// The rows of one Query API answer (<c>{"data": {"fields": [...], "values": [[...], ...]}}</c>), each row a list of
/// JSON values in the order of <see cref="Fields"/>.
/// </summary>
public sealed class Neo4jResult
{
    public Neo4jResult(IReadOnlyList<string> fields, IReadOnlyList<JsonElement[]> rows)
    {
        Fields = fields;
        Rows = rows;
    }

    public IReadOnlyList<string> Fields { get; }

    public IReadOnlyList<JsonElement[]> Rows { get; }

    /// <summary>The position of a returned column, or an error naming it (a statement and its reader disagree).</summary>
    public int Field(string name)
    {
        for (var i = 0; i < Fields.Count; i++)
        {
            if (string.Equals(Fields[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"The Neo4j answer has no column '{name}' (columns: {string.Join(", ", Fields)}).");
    }
}

/// <summary>Neo4j refused a statement as the client's fault (a Cypher error): a bug here, not an outage, so never retried.</summary>
public sealed class Neo4jQueryException : InvalidOperationException
{
    public Neo4jQueryException(string code, string serverMessage)
        : base($"Neo4j rejected a statement ({code}).")
    {
        Code = code;
        ServerMessage = serverMessage;
    }

    public Neo4jQueryException() { }

    public Neo4jQueryException(string message) : base(message) { }

    public Neo4jQueryException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The Neo4j status code, e.g. <c>Neo.ClientError.Statement.SyntaxError</c>.</summary>
    public string Code { get; } = string.Empty;

    /// <summary>Neo4j's own message: it may quote values, so it is logged at Debug only and never shown to callers.</summary>
    public string ServerMessage { get; } = string.Empty;
}

/// <summary>
/// Runs Cypher over Neo4j's HTTP Query API (<c>POST {Endpoint}/db/{Database}/query/v2</c>, one implicit transaction per
/// statement). Retries and timeouts belong to the resilience pipeline of the named HttpClient; this class maps what is
/// left to exceptions: outages to <see cref="DependencyUnavailableException"/> (503, naming the setting to check),
/// Cypher errors to <see cref="Neo4jQueryException"/>.
/// </summary>
public sealed partial class Neo4jQueryClient
{
    /// <summary>The named HttpClient (tests swap its primary handler).</summary>
    public const string HttpClientName = "Retrieval.Neo4j";

    private static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.Web);
    private readonly IHttpClientFactory _httpClients;
    private readonly Neo4jOptions _options;
    private readonly ILogger<Neo4jQueryClient> _logger;
    private readonly Uri _queryUri;
    private readonly AuthenticationHeaderValue? _authorization;

    public Neo4jQueryClient(IHttpClientFactory httpClients, IOptions<Neo4jOptions> options, ILogger<Neo4jQueryClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClients = httpClients;
        _options = options.Value;
        _logger = logger;
        _queryUri = new Uri(new Uri(_options.Endpoint.TrimEnd('/') + "/"), $"db/{Uri.EscapeDataString(_options.Database)}/query/v2");
        _authorization = string.IsNullOrEmpty(_options.User)
            ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_options.User}:{_options.Password}")));
    }

    public Uri QueryUri => _queryUri;

    public async Task<Neo4jResult> RunAsync(CypherQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var request = new HttpRequestMessage(HttpMethod.Post, _queryUri)
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new { statement = query.Statement, parameters = query.Parameters }, SerializerOptions),
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Authorization = _authorization;

        HttpResponseMessage response;
        try
        {
            response = await _httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            LogUnreachable(_logger, ex);
            throw new DependencyUnavailableException($"Neo4j is unreachable; check {Neo4jOptions.Section}:Endpoint and that the server is running.", ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new DependencyUnavailableException($"Neo4j did not answer within {Neo4jOptions.Section}:AttemptTimeout.", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DependencyUnavailableException($"Neo4j did not answer within {Neo4jOptions.Section}:AttemptTimeout.", ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return Parse(response.StatusCode, body);
        }
    }

    /// <summary>Maps one Query API answer to rows or to the exception its status and error codes call for.</summary>
    internal Neo4jResult Parse(HttpStatusCode status, string body)
    {
        JsonElement root = default;
        var json = false;
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                root = document.RootElement.Clone();
                json = root.ValueKind == JsonValueKind.Object;
            }
            catch (JsonException)
            {
                json = false;
            }
        }

        if (json && root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
        {
            var first = errors[0];
            var code = first.TryGetProperty("code", out var c) ? c.GetString() ?? string.Empty : string.Empty;
            var message = first.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : string.Empty;
            LogServerError(_logger, code, message);
            throw MapError(code, message);
        }

        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw Credentials();
        }

        if ((int)status is < 200 or > 299)
        {
            throw new DependencyUnavailableException(
                $"Neo4j answered HTTP {(int)status}; check {Neo4jOptions.Section}:Endpoint and {Neo4jOptions.Section}:Database.");
        }

        if (json && !root.TryGetProperty("data", out _) && root.TryGetProperty("bookmarks", out _))
        {
            return new Neo4jResult([], []); // a write that returns nothing
        }

        if (!json || !root.TryGetProperty("data", out var data) || !data.TryGetProperty("fields", out var fields) || !data.TryGetProperty("values", out var values))
        {
            throw new DependencyUnavailableException(
                $"Neo4j's answer is not a Query API result; check that {Neo4jOptions.Section}:Endpoint points at Neo4j 5.19 or later.");
        }

        var names = fields.EnumerateArray().Select(f => f.GetString() ?? string.Empty).ToList();
        var rows = values.EnumerateArray().Select(row => row.EnumerateArray().ToArray()).ToList();
        return new Neo4jResult(names, rows);
    }

    /// <summary>Neo4j status codes: <c>Neo.{Classification}.{Category}.{Title}</c>.</summary>
    internal static Exception MapError(string code, string message)
    {
        if (code.StartsWith("Neo.ClientError.Security.", StringComparison.Ordinal))
        {
            return Credentials();
        }

        if (code == "Neo.ClientError.Database.DatabaseNotFound")
        {
            return new DependencyUnavailableException($"The Neo4j database named by {Neo4jOptions.Section}:Database does not exist.");
        }

        if (IsTransientCode(code))
        {
            return new DependencyUnavailableException($"Neo4j is temporarily unavailable ({code}); retries are exhausted.");
        }

        if (code.StartsWith("Neo.DatabaseError.", StringComparison.Ordinal))
        {
            return new DependencyUnavailableException($"Neo4j failed ({code}).");
        }

        return new Neo4jQueryException(code, message);
    }

    internal static bool IsTransientCode(string? code) =>
        code is not null && code.StartsWith("Neo.TransientError.", StringComparison.Ordinal);

    /// <summary>True when a Query API error body carries a <c>Neo.TransientError.*</c> code (deadlock, leader switch, memory).</summary>
    internal static bool HasTransientError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("errors", out var errors)
                && errors.ValueKind == JsonValueKind.Array
                && errors.EnumerateArray().Any(e => e.TryGetProperty("code", out var code) && IsTransientCode(code.GetString()));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static DependencyUnavailableException Credentials() =>
        new($"Neo4j rejected the credentials; check {Neo4jOptions.Section}:User and {Neo4jOptions.Section}:Password.");

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Neo4j is unreachable")]
    private static partial void LogUnreachable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Debug, Message = "Neo4j error {Code}: {ServerMessage}")]
    private static partial void LogServerError(ILogger logger, string code, string serverMessage);
}
