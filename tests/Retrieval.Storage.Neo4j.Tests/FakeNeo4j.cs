using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Neo4j.Tests;

/// <summary>One request the fake server received: the statement and its parameters as sent on the wire.</summary>
internal sealed record ReceivedRequest(Uri Uri, string? Authorization, string? Accept, string Statement, JsonObject Parameters);

/// <summary>
/// An in-process stand-in for Neo4j's HTTP Query API: it records each request and answers with whatever the test's
/// responder returns (or throws). Installed as the primary handler of the real named HttpClient, so the resilience
/// pipeline (retries, timeouts) runs in front of it exactly as in production.
/// </summary>
internal sealed class FakeNeo4jHandler : HttpMessageHandler
{
    private readonly Func<ReceivedRequest, CancellationToken, Task<HttpResponseMessage>> _respond;

    public FakeNeo4jHandler(Func<ReceivedRequest, CancellationToken, Task<HttpResponseMessage>> respond) => _respond = respond;

    public FakeNeo4jHandler(Func<ReceivedRequest, HttpResponseMessage> respond)
        : this((request, _) => Task.FromResult(respond(request)))
    {
    }

    public List<ReceivedRequest> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!.AsObject();
        var received = new ReceivedRequest(
            request.RequestUri!,
            request.Headers.Authorization?.ToString(),
            request.Headers.Accept.ToString(),
            body["statement"]!.GetValue<string>(),
            body["parameters"]?.AsObject() ?? []);
        lock (Requests)
        {
            Requests.Add(received);
        }

        return await _respond(received, cancellationToken);
    }

    /// <summary>A successful Query API answer (202 Accepted) with these columns and rows.</summary>
    public static HttpResponseMessage Rows(string[] fields, params object?[][] rows) =>
        Json(HttpStatusCode.Accepted, new { data = new { fields, values = rows }, bookmarks = new[] { "FB:bookmark" } });

    /// <summary>An error answer as the Query API sends it.</summary>
    public static HttpResponseMessage Error(HttpStatusCode status, string code, string message) =>
        Json(status, new { errors = new[] { new { code, message } } });

    public static HttpResponseMessage Json(HttpStatusCode status, object body) =>
        new(status) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
}

internal static class FakeNeo4j
{
    /// <summary>The Neo4j services as production registers them, with the fake handler under the resilience pipeline.</summary>
    public static ServiceProvider Services(FakeNeo4jHandler handler, IDocumentStore? documents = null, Dictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Retrieval:Storage:Neo4j:Endpoint"] = "http://neo4j.test:7474",
            ["Retrieval:Storage:Neo4j:User"] = "neo4j",
            ["Retrieval:Storage:Neo4j:Password"] = "secret",
            ["Retrieval:Storage:Neo4j:RetryDelay"] = "00:00:00.001",
            ["Retrieval:Storage:Neo4j:MaxRetries"] = "2",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        if (documents is not null)
        {
            services.AddSingleton(documents);
        }

        services.AddNeo4jGraph();
        services.AddHttpClient(Neo4jQueryClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        return services.BuildServiceProvider();
    }
}
