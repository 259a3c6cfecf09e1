using System.Net;
using System.Text.Json;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

/// <summary>
/// Canary entities that occur only in restricted documents (and one in another tenant), and one entity (Acme Robotics)
/// shared by a restricted and a public document: the graph must show each caller only what its readable chunks support.
/// </summary>
public class GraphAclCorpus : IAsyncLifetime
{
    public static readonly (string Id, string Text, string Acl, string Tenant)[] Documents =
    [
        ("eng-graph", "The Zanzibar Quokka Foundation funds Acme Robotics. Acme Robotics hired Grace Quokkaford as chief engineer.", "group:eng", "acme"),
        ("hr-graph", "The Xylophant Wombat Trust audits Acme Robotics every spring.", "group:hr", "acme"),
        ("public-graph", "Acme Robotics opened an office beside Lisbon Harbour. Visitors to Lisbon Harbour can tour Acme Robotics.", "public", "acme"),
        ("globex-graph", "The Vortimax Lemur Institute partners with Acme Robotics in Globex City.", "public", "globex"),
    ];

    /// <summary>Distinctive words of the canary entities, by document.</summary>
    public static readonly Dictionary<string, string[]> CanaryWords = new()
    {
        ["eng-graph"] = ["Quokka", "Quokkaford"],
        ["hr-graph"] = ["Xylophant"],
        ["globex-graph"] = ["Vortimax"],
    };

    public static readonly (string User, string[] Groups, string Tenant, string[] Readable)[] Callers =
    [
        ("alice", ["eng"], "acme", ["eng-graph", "public-graph"]),
        ("hank", ["hr"], "acme", ["hr-graph", "public-graph"]),
        ("bob", [], "acme", ["public-graph"]),
        ("mallory", ["eng", "hr"], "globex", ["globex-graph"]),
    ];

    public static readonly string[] Queries =
    [
        "Zanzibar Quokka Foundation",
        "Who funds Acme Robotics?",
        "Who does the Xylophant Wombat Trust audit?",
        "Vortimax Lemur Institute partners",
        "Grace Quokkaford",
        "Acme Robotics Lisbon Harbour",
    ];

    public GraphAclCorpus()
        : this(null)
    {
    }

    protected GraphAclCorpus(IReadOnlyDictionary<string, string?>? settings) => Factory = new RetrievalApiFactory(settings: settings);

    public RetrievalApiFactory Factory { get; }

    public async Task InitializeAsync()
    {
        foreach (var (id, text, acl, tenant) in Documents)
        {
            using var admin = Factory.ClientFor("loader-" + tenant, roles: [RetrievalRoles.Admin], tenant: tenant);
            await admin.PostJsonAsync("/v1/documents", new { id, title = "Note " + id, text, acl = new[] { acl } }, HttpStatusCode.Created);
        }
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }

    public static IEnumerable<string> ForbiddenWords(string user)
    {
        var caller = Callers.Single(c => c.User == user);
        return CanaryWords.Where(c => !caller.Readable.Contains(c.Key)).SelectMany(c => c.Value);
    }
}

[CollectionDefinition(Name)]
public sealed class GraphAclCollection : ICollectionFixture<GraphAclCorpus>
{
    public const string Name = "graph acl corpus";
}

[Collection(GraphAclCollection.Name)]
public sealed class GraphAclTests
{
    private readonly GraphAclCorpus _corpus;

    public GraphAclTests(GraphAclCorpus corpus) => _corpus = corpus;

    public static TheoryData<string, string> CallersAndModes()
    {
        var data = new TheoryData<string, string>();
        foreach (var caller in GraphAclCorpus.Callers)
        {
            foreach (var mode in new[] { "graph", "lexical+graph", "hybrid" })
            {
                data.Add(caller.User, mode);
            }
        }

        return data;
    }

    private HttpClient ClientFor(string user)
    {
        var caller = GraphAclCorpus.Callers.Single(c => c.User == user);
        return _corpus.Factory.ClientFor(caller.User, caller.Groups, [RetrievalRoles.Reader], caller.Tenant);
    }

    private static void AssertNoForbidden(string user, string text, string context)
    {
        foreach (var word in GraphAclCorpus.ForbiddenWords(user))
        {
            Assert.False(text.Contains(word, StringComparison.OrdinalIgnoreCase), $"{user} saw '{word}' in {context}: {text}");
        }
    }

    [Theory]
    [MemberData(nameof(CallersAndModes))]
    public async Task Search_QueriesNamingCanaries_NeverReturnUnreadableEntitiesOrChunks(string user, string mode)
    {
        using var client = ClientFor(user);
        foreach (var query in GraphAclCorpus.Queries)
        {
            var body = await client.PostJsonAsync("/v1/search", new { query, topK = 20, mode });
            // The query is not echoed, so a forbidden word can only come from a document, an entity or an explanation.
            AssertNoForbidden(user, body.GetRawText(), $"search '{query}' ({mode})");
        }
    }

    [Fact]
    public async Task Search_GraphMode_RanksTheChunkOfANamedEntityAndExplainsIt()
    {
        using var alice = ClientFor("alice");

        var body = await alice.PostJsonAsync("/v1/search", new { query = "What does the Zanzibar Quokka Foundation fund?", topK = 5, mode = "graph" });

        var first = body.GetProperty("results")[0];
        Assert.Equal("eng-graph", first.GetProperty("documentId").GetString());
        Assert.True(first.GetProperty("scores").TryGetProperty("graph", out _));
        var entities = first.GetProperty("graph").GetProperty("entities").EnumerateArray().ToList();
        Assert.Contains(entities, e => e.GetProperty("name").GetString() == "Zanzibar Quokka Foundation" && e.GetProperty("fromQuery").GetBoolean());
    }

    [Fact]
    public async Task Search_GraphMode_SecondHopChunkIsReachedOnlyThroughReadableChunks()
    {
        // Alice: Quokka Foundation → (eng chunk) → Acme Robotics → public chunk. Bob cannot start the walk at all.
        using var alice = ClientFor("alice");
        using var bob = ClientFor("bob");
        const string Query = "Zanzibar Quokka Foundation";

        var aliceDocs = (await alice.PostJsonAsync("/v1/search", new { query = Query, topK = 10, mode = "graph" }))
            .GetProperty("results").EnumerateArray().Select(r => r.GetProperty("documentId").GetString()).ToList();
        var bobResults = (await bob.PostJsonAsync("/v1/search", new { query = Query, topK = 10, mode = "graph" })).GetProperty("results");

        Assert.Contains("public-graph", aliceDocs);
        Assert.Equal(0, bobResults.GetArrayLength());
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("hank")]
    [InlineData("bob")]
    [InlineData("mallory")]
    public async Task EntitySearch_ByExactName_ShowsOnlyReadableEntities(string user)
    {
        using var client = ClientFor(user);
        var caller = GraphAclCorpus.Callers.Single(c => c.User == user);
        foreach (var query in GraphAclCorpus.Queries.Append("Zanzibar").Append("quokka").Append("x"))
        {
            using var response = await client.GetAsync(new Uri($"/v1/graph/entities?query={Uri.EscapeDataString(query)}", UriKind.Relative));
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            AssertNoForbidden(user, text, $"entity search '{query}'");
        }

        using var own = await client.GetAsync(new Uri("/v1/graph/entities?query=Acme%20Robotics", UriKind.Relative));
        var acme = JsonDocument.Parse(await own.Content.ReadAsStringAsync()).RootElement.GetProperty("entities")[0];
        Assert.Equal("Acme Robotics", acme.GetProperty("name").GetString());
        var readableMentioning = caller.Readable.Count(d => GraphAclCorpus.Documents.Single(x => x.Id == d).Text.Contains("Acme Robotics", StringComparison.Ordinal));
        Assert.Equal(readableMentioning, acme.GetProperty("chunks").GetInt32());
    }

    [Theory]
    [InlineData("hank")]
    [InlineData("bob")]
    [InlineData("mallory")]
    public async Task EntityDetail_RestrictedEntity_Is404AndSharedEntityHidesRestrictedNeighbors(string user)
    {
        using var alice = ClientFor("alice");
        using var found = await alice.GetAsync(new Uri("/v1/graph/entities?query=Zanzibar%20Quokka%20Foundation", UriKind.Relative));
        var canaryId = JsonDocument.Parse(await found.Content.ReadAsStringAsync()).RootElement.GetProperty("entities")[0].GetProperty("id").GetString();
        using var acmeFound = await alice.GetAsync(new Uri("/v1/graph/entities?query=Acme%20Robotics", UriKind.Relative));
        var acmeId = JsonDocument.Parse(await acmeFound.Content.ReadAsStringAsync()).RootElement.GetProperty("entities")[0].GetProperty("id").GetString();
        using var aliceDetail = await alice.GetAsync(new Uri($"/v1/graph/entities/{acmeId}", UriKind.Relative));
        Assert.Contains("Zanzibar Quokka Foundation", await aliceDetail.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var client = ClientFor(user);
        using var canary = await client.GetAsync(new Uri($"/v1/graph/entities/{canaryId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, canary.StatusCode);
        AssertNoForbidden(user, await canary.Content.ReadAsStringAsync(), "canary detail");

        using var missing = await client.GetAsync(new Uri("/v1/graph/entities/00000000000000000000000000000000", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        using var shared = await client.GetAsync(new Uri($"/v1/graph/entities/{acmeId}?neighbors=50&chunks=50", UriKind.Relative));
        var text = await shared.Content.ReadAsStringAsync();
        AssertNoForbidden(user, text, "Acme Robotics detail");
        if (user == "mallory")
        {
            Assert.Equal(HttpStatusCode.NotFound, shared.StatusCode); // another tenant's entity id
        }
        else
        {
            Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
            Assert.Contains("Lisbon Harbour", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task EntityEndpoints_RequireReaderRole()
    {
        using var ingestorOnly = _corpus.Factory.ClientFor("ivan", [], [RetrievalRoles.Ingestor], "acme");
        using var response = await ingestorOnly.GetAsync(new Uri("/v1/graph/entities?query=Acme", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
