using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

/// <summary>
/// Two public themes (a river festival, a garden society) and restricted documents that plant canary entities into
/// both and link the two themes (Mira Holt with Ada Fern) only through a restricted chunk: communities, summaries,
/// names and counts must come from each caller's readable chunks alone.
/// </summary>
public sealed class GlobalGraphCorpus : IAsyncLifetime
{
    public static readonly (string Id, string Text, string Acl, string Tenant)[] Documents =
    [
        ("pub-river",
            "The Ostrava River Festival fills Ostrava Harbour with boats every June. Every year Captain Mira Holt leads the parade of the Ostrava River Festival " +
            "from Ostrava Harbour. The Harbour Choir sings for Captain Mira Holt at Ostrava Harbour during the Ostrava River Festival.", "public", "acme"),
        ("pub-garden",
            "The Bellweather Garden Society grows rare orchids at Kew Pavilion. Every spring Doctor Ada Fern opens the show of the Bellweather Garden Society " +
            "at Kew Pavilion. The Orchid Trust lends plants to Doctor Ada Fern and the Bellweather Garden Society for the show at Kew Pavilion.", "public", "acme"),
        ("eng-canary",
            "The Zanzibar Quokka Foundation funds the Bellweather Garden Society. Grace Quokkaford of the Zanzibar Quokka Foundation tours Kew Pavilion with " +
            "Doctor Ada Fern. Captain Mira Holt and Doctor Ada Fern both advise the Zanzibar Quokka Foundation. Captain Mira Holt visits Doctor Ada Fern.", "group:eng", "acme"),
        ("hr-canary",
            "The Xylophant Wombat Trust audits the Ostrava River Festival. Auditors of the Xylophant Wombat Trust meet Captain Mira Holt at Ostrava Harbour.",
            "group:hr", "acme"),
        ("globex-canary",
            "The Vortimax Lemur Institute studies lemurs at Globex Zoo. Professor Lina Vortimax directs the Vortimax Lemur Institute at Globex Zoo.", "public", "globex"),
    ];

    public static readonly Dictionary<string, string[]> CanaryWords = new()
    {
        ["eng-canary"] = ["Quokka", "Quokkaford"],
        ["hr-canary"] = ["Xylophant", "Wombat"],
        ["globex-canary"] = ["Vortimax", "Lemur"],
    };

    public static readonly (string User, string[] Groups, string Tenant, string[] Readable)[] Callers =
    [
        ("alice", ["eng"], "acme", ["pub-river", "pub-garden", "eng-canary"]),
        ("hank", ["hr"], "acme", ["pub-river", "pub-garden", "hr-canary"]),
        ("bob", [], "acme", ["pub-river", "pub-garden"]),
        ("carol", [], "acme", ["pub-river", "pub-garden"]),
        ("mallory", ["eng", "hr"], "globex", ["globex-canary"]),
    ];

    public static readonly string[] Queries =
    [
        "What are the main themes?",
        "Zanzibar Quokka Foundation",
        "What does the Xylophant Wombat Trust audit?",
        "Vortimax Lemur Institute",
        "Grace Quokkaford and Captain Mira Holt",
    ];

    public RetrievalApiFactory Factory { get; } = new();

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

    public HttpClient ClientFor(string user)
    {
        var caller = Callers.Single(c => c.User == user);
        return Factory.ClientFor(caller.User, caller.Groups, [RetrievalRoles.Reader], caller.Tenant);
    }

    public static void AssertNoForbidden(string user, string text, string context)
    {
        var caller = Callers.Single(c => c.User == user);
        foreach (var word in CanaryWords.Where(c => !caller.Readable.Contains(c.Key)).SelectMany(c => c.Value))
        {
            Assert.False(text.Contains(word, StringComparison.OrdinalIgnoreCase), $"{user} saw '{word}' in {context}: {text}");
        }
    }

    /// <summary>Every document a summary or a hit cites is one the caller may read.</summary>
    public static void AssertReadableSources(string user, IEnumerable<string?> documentIds, string context)
    {
        var caller = Callers.Single(c => c.User == user);
        foreach (var id in documentIds)
        {
            Assert.True(caller.Readable.Contains(id), $"{user} got a source from '{id}' in {context}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GlobalGraphCollection : ICollectionFixture<GlobalGraphCorpus>
{
    public const string Name = "global graph corpus";
}

[Collection(GlobalGraphCollection.Name)]
public sealed class GlobalGraphAclTests
{
    private readonly GlobalGraphCorpus _corpus;

    public GlobalGraphAclTests(GlobalGraphCorpus corpus) => _corpus = corpus;

    private static async Task<JsonElement> CommunitiesAsync(HttpClient client, string? query = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var url = "/v1/graph/communities?limit=20" + (query is null ? string.Empty : "&query=" + Uri.EscapeDataString(query));
        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static List<JsonElement> Communities(JsonElement body) => [.. body.GetProperty("communities").EnumerateArray()];

    private static IEnumerable<string?> SummarySources(IEnumerable<JsonElement> communities) => communities
        .Where(c => c.GetProperty("summary").ValueKind == JsonValueKind.Object)
        .SelectMany(c => c.GetProperty("summary").GetProperty("sources").EnumerateArray())
        .Select(s => s.GetProperty("documentId").GetString());

    private static JsonElement CommunityWith(JsonElement body, string entityName) => Communities(body)
        .Single(c => c.GetProperty("entities").EnumerateArray().Any(e => e.GetProperty("name").GetString() == entityName));

    [Theory]
    [InlineData("alice")]
    [InlineData("hank")]
    [InlineData("bob")]
    [InlineData("mallory")]
    public async Task Communities_AnyQuery_ShowOnlyReadableNamesSummariesAndSources(string user)
    {
        using var client = _corpus.ClientFor(user);
        foreach (var query in GlobalGraphCorpus.Queries.Prepend(null))
        {
            var body = await CommunitiesAsync(client, query);
            GlobalGraphCorpus.AssertNoForbidden(user, body.GetRawText(), $"communities '{query}'");
            GlobalGraphCorpus.AssertReadableSources(user, SummarySources(Communities(body)), $"communities '{query}'");
        }
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("hank")]
    [InlineData("bob")]
    [InlineData("mallory")]
    public async Task SearchAndAsk_GlobalModeNamingCanaries_NeverRevealThem(string user)
    {
        using var client = _corpus.ClientFor(user);
        foreach (var query in GlobalGraphCorpus.Queries)
        {
            var search = await client.PostJsonAsync("/v1/search", new { query, topK = 20, mode = "global" });
            GlobalGraphCorpus.AssertNoForbidden(user, search.GetRawText(), $"global search '{query}'");
            GlobalGraphCorpus.AssertReadableSources(user, search.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("documentId").GetString()), "global search");
            GlobalGraphCorpus.AssertReadableSources(user, SummarySources(search.GetProperty("communities").EnumerateArray()), "global search communities");

            var ask = await client.PostJsonAsync("/v1/ask", new { question = query, mode = "global" });
            // The answer is not an echo of the question, so a canary here could only come from a document.
            GlobalGraphCorpus.AssertNoForbidden(user, ask.GetProperty("answer").GetString() + ask.GetProperty("citations").GetRawText(), $"global ask '{query}'");
            GlobalGraphCorpus.AssertReadableSources(user, ask.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("documentId").GetString()), "global ask");
        }
    }

    [Fact]
    public async Task Communities_LinkOnlyInRestrictedChunk_DoesNotJoinThePublicThemesForOthers()
    {
        using var bob = _corpus.ClientFor("bob");
        using var hank = _corpus.ClientFor("hank");

        foreach (var client in new[] { bob, hank })
        {
            var body = await CommunitiesAsync(client);
            var river = CommunityWith(body, "Ostrava River Festival");
            var garden = CommunityWith(body, "Bellweather Garden Society");
            Assert.NotEqual(river.GetProperty("id").GetString(), garden.GetProperty("id").GetString());
            Assert.DoesNotContain(river.GetProperty("entities").EnumerateArray(), e => e.GetProperty("name").GetString()!.Contains("Ada Fern", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Communities_DifferentVisibleSets_GetDifferentSummariesFromTheirOwnChunks()
    {
        using var alice = _corpus.ClientFor("alice");
        using var bob = _corpus.ClientFor("bob");

        var aliceGarden = CommunityWith(await CommunitiesAsync(alice), "Bellweather Garden Society");
        var bobGarden = CommunityWith(await CommunitiesAsync(bob), "Bellweather Garden Society");

        var aliceSources = SummarySources([aliceGarden]).ToList();
        var bobSources = SummarySources([bobGarden]).ToList();
        Assert.Contains("eng-canary", aliceSources);
        Assert.Equal(["pub-garden"], bobSources.Distinct());
        Assert.NotEqual(aliceGarden.GetProperty("id").GetString(), bobGarden.GetProperty("id").GetString());
        Assert.NotEqual(aliceGarden.GetProperty("summary").GetRawText(), bobGarden.GetProperty("summary").GetRawText());
    }

    [Fact]
    public async Task Communities_SameVisibleSet_ShareTheSummaryThroughTheCache()
    {
        using var bob = _corpus.ClientFor("bob");
        using var carol = _corpus.ClientFor("carol");
        var cache = _corpus.Factory.Services.GetRequiredService<CommunitySummaryCache>();

        var first = await CommunitiesAsync(bob);
        var hitsBefore = cache.Hits;
        var second = await CommunitiesAsync(carol);

        Assert.NotEmpty(Communities(first));
        Assert.Equal(first.GetProperty("communities").GetRawText(), second.GetProperty("communities").GetRawText());
        Assert.True(cache.Hits >= hitsBefore + Communities(second).Count, "carol's summaries should come from the cache bob filled");
    }

    [Fact]
    public async Task Ask_GlobalMode_AnswersFromSummariesWithVerifiedCitations()
    {
        using var bob = _corpus.ClientFor("bob");

        var body = await bob.PostJsonAsync("/v1/ask", new { question = "What are the main themes?", mode = "global" });

        Assert.False(body.GetProperty("abstained").GetBoolean(), body.GetRawText());
        Assert.Equal(1.0, body.GetProperty("support").GetProperty("ratio").GetDouble());
        var cited = body.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("documentId").GetString()).ToHashSet();
        Assert.Equal(new HashSet<string?> { "pub-river", "pub-garden" }, cited);
    }

    [Fact]
    public async Task Search_GlobalCombinedWithOtherRetrievers_Is400()
    {
        using var bob = _corpus.ClientFor("bob");

        await bob.PostJsonAsync("/v1/search", new { query = "themes", mode = "dense+global" }, HttpStatusCode.BadRequest);
        await bob.PostJsonAsync("/v1/ask", new { question = "themes", mode = "global+graph" }, HttpStatusCode.BadRequest);
        await CommunitiesAsync(bob, null, HttpStatusCode.OK);
        using var response = await bob.GetAsync(new Uri("/v1/graph/communities?limit=0", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
