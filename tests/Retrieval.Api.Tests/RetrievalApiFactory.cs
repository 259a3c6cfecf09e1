using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

/// <summary>The real API host over an isolated temporary data directory (SQLite store, real embedding model).</summary>
public class RetrievalApiFactory : WebApplicationFactory<Program>
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsDirectory;

    public RetrievalApiFactory(string? dataDirectory = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _ownsDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("retrieval-api-").FullName;
        _settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Retrieval:Storage:DataDirectory"] = DataDirectory,
            ["Retrieval:Demo:Enabled"] = "false",
            ["Retrieval:Embeddings:Model"] = "minilm",
            ["Retrieval:Worker:PollInterval"] = "00:00:00.100",
            // Off unless a test is about it (WarmupTests): other tests need no warm process and must not wait for one.
            ["Retrieval:Warmup:Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string DataDirectory { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A client authenticated as <paramref name="user"/> with a token minted from the test host's development key.</summary>
    public HttpClient ClientFor(string user, string[]? groups = null, string[]? roles = null, string tenant = "acme")
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(user, groups, roles, tenant));
        return client;
    }

    public string TokenFor(string user, string[]? groups = null, string[]? roles = null, string tenant = "acme", TimeSpan? lifetime = null, DateTimeOffset? now = null)
    {
        _ = Server; // the host creates identity.json on start
        var identity = DevelopmentIdentity.TryLoad(DataDirectory) ?? throw new InvalidOperationException("identity.json was not created");
        return identity.MintToken(new TokenRequest(user, tenant, groups ?? [], roles ?? [RetrievalRoles.Reader, RetrievalRoles.Ingestor], lifetime ?? TimeSpan.FromHours(1)) { Now = now });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsDirectory)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // best effort: a temp folder
            }
        }
    }
}

public static class HttpClientExtensions
{
    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static async Task<JsonElement> PostJsonAsync(this HttpClient client, string url, object body, System.Net.HttpStatusCode expected = System.Net.HttpStatusCode.OK)
    {
        using var response = await client.PostAsJsonAsync(url, body, RetrievalApiFactory.Json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{url}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Polls a job until it reaches a final state (bounded; fails the test after 2 minutes).</summary>
    public static async Task<JsonElement> WaitForJobAsync(this HttpClient client, string jobId)
    {
        for (var i = 0; i < 1200; i++)
        {
            using var response = await client.GetAsync(new Uri($"/v1/ingest/jobs/{jobId}", UriKind.Relative));
            var job = await response.ReadJsonAsync();
            var state = job.GetProperty("state").GetString();
            if (state is "succeeded" or "failed" or "cancelled")
            {
                return job;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Job {jobId} did not finish.");
    }
}
