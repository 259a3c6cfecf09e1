using System.Net;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

public sealed class HostingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("retrieval-hosting-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Start_StoreIndexedWithAnotherModel_RefusesNamingBoth()
    {
        using (var first = new RetrievalApiFactory(_dir))
        {
            using var client = first.ClientFor("alice", ["eng"]);
            await client.PostJsonAsync("/v1/documents", new { id = "a", text = "Some indexed text here.", acl = new[] { "public" } }, HttpStatusCode.Created);
        }

        using var second = new RetrievalApiFactory(_dir, new Dictionary<string, string?> { ["Retrieval:Embeddings:Model"] = "arctic-xs" });
        var error = Assert.ThrowsAny<InvalidOperationException>(() => second.CreateClient());
        Assert.Contains("'minilm'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Retrieval:Embeddings:Model is 'arctic-xs'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Retrieval:Query:MaxTopK", "0", "Retrieval:Query:MaxTopK")]
    [InlineData("Retrieval:Ingestion:OverlapTokens", "300", "Retrieval:Ingestion:OverlapTokens")]
    [InlineData("Retrieval:Ingestion:ChunkTokens", "1000", "Retrieval:Ingestion:ChunkTokens")]
    [InlineData("Retrieval:Ingestion:ParseTimeout", "00:20:00", "Retrieval:Ingestion:ParseTimeout")]
    [InlineData("Retrieval:Ingestion:MaxJsonDepth", "0", "Retrieval:Ingestion:MaxJsonDepth")]
    [InlineData("Retrieval:Embeddings:ExecutionProvider", "tpu", "Retrieval:Embeddings:ExecutionProvider")]
    [InlineData("Retrieval:Auth:Mode", "oidc", "Retrieval:Auth:Authority")]
    [InlineData("Retrieval:Verification:Judge", "Llm", "Retrieval:Verification:Judge")]
    [InlineData("Retrieval:Verification:MaxSentences", "0", "Retrieval:Verification:MaxSentences")]
    [InlineData("Retrieval:Memory:TrimIntervalSeconds", "-1", "Retrieval:Memory:TrimIntervalSeconds")]
    [InlineData("Retrieval:Embeddings:CpuArenaExtendStrategy", "kSameAsRequested", "Retrieval:Embeddings:CpuArenaExtendStrategy")]
    [InlineData("Retrieval:Graph:InMemorySubgraphMaxMentions", "0", "Retrieval:Graph:InMemorySubgraphMaxMentions")]
    [InlineData("Retrieval:Graph:InMemorySubgraph", "sometimes", "Retrieval:Graph:InMemorySubgraph")]
    [InlineData("Retrieval:Graph:Llm:CacheSweep:GracePeriod", "00:05:00", "Retrieval:Graph:Llm:CacheSweep:GracePeriod")]
    [InlineData("Retrieval:Graph:Llm:CacheSweep:Interval", "00:00:00", "Retrieval:Graph:Llm:CacheSweep:Interval")]
    [InlineData("Retrieval:Graph:Llm:CacheSweep:BatchSize", "0", "Retrieval:Graph:Llm:CacheSweep:BatchSize")]
    [InlineData("Retrieval:Warmup:Queries", "-1", "Retrieval:Warmup:Queries")]
    [InlineData("Retrieval:Warmup:Timeout", "00:00:00", "Retrieval:Warmup:Timeout")]
    public void Start_InvalidSetting_FailsNamingThePath(string key, string value, string expected)
    {
        using var factory = new RetrievalApiFactory(_dir, new Dictionary<string, string?> { [key] = value });
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoints_Metrics_Docs_Health_AreServed_AndHealthRevealsNoCounts()
    {
        using var factory = new RetrievalApiFactory(_dir);
        using var client = factory.ClientFor("alice", ["eng"]);
        await client.PostJsonAsync("/v1/search", new { query = "anything at all" });
        using var anonymous = factory.CreateClient();

        using var metrics = await anonymous.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var docs = await anonymous.GetAsync(new Uri("/docs", UriKind.Relative));
        using var health = await anonymous.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("retrieval_search_duration", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var healthText = await health.Content.ReadAsStringAsync();
        Assert.DoesNotContain("documents", healthText, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("chunks", healthText, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Roles_AreCaseInsensitive_InPoliciesAndUseCases()
    {
        using var factory = new RetrievalApiFactory(_dir);
        using var client = factory.ClientFor("alice", ["eng"], ["Reader", "INGESTOR"]);

        await client.PostJsonAsync("/v1/documents", new { id = "r", text = "Roles are compared without case.", acl = new[] { "public" } }, HttpStatusCode.Created);
        await client.PostJsonAsync("/v1/search", new { query = "roles case" });
    }

    [Fact]
    public async Task CreateDocument_IdWithSlashes_LocationHeaderResolves()
    {
        using var factory = new RetrievalApiFactory(_dir);
        using var client = factory.ClientFor("alice", ["eng"], [RetrievalRoles.Reader, RetrievalRoles.Ingestor]);
        using var created = await client.PostAsync(new Uri("/v1/documents", UriKind.Relative), System.Net.Http.Json.JsonContent.Create(new { id = "guide/intro notes.md", text = "The guide starts here.", acl = new[] { "public" } }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var fetched = await client.GetAsync(created.Headers.Location);

        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal("guide/intro notes.md", (await fetched.ReadJsonAsync()).GetProperty("id").GetString());
    }
}
