using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

/// <summary>
/// The canary corpus of <see cref="GraphAclCorpus"/> with linking by entity-name embeddings switched on as wide as it goes:
/// every entity of the other retrievers' top chunks links (threshold −1), so a candidate drawn from anything but the
/// caller's readable chunks would surface as a seed in the graph's explanations.
/// </summary>
public sealed class GraphEmbeddingLinkAclCorpus : GraphAclCorpus
{
    public GraphEmbeddingLinkAclCorpus()
        : base(new Dictionary<string, string?>
        {
            ["Retrieval:Graph:EmbeddingLinks"] = "256",
            ["Retrieval:Graph:EmbeddingLinkThreshold"] = "-1",
            ["Retrieval:Graph:PassageSeeds"] = "50",
        })
    {
    }
}

[CollectionDefinition(Name)]
public sealed class GraphEmbeddingLinkAclCollection : ICollectionFixture<GraphEmbeddingLinkAclCorpus>
{
    public const string Name = "graph acl corpus, embedding links";
}

[Collection(GraphEmbeddingLinkAclCollection.Name)]
public sealed class GraphEmbeddingLinkAclTests
{
    private readonly GraphEmbeddingLinkAclCorpus _corpus;

    public GraphEmbeddingLinkAclTests(GraphEmbeddingLinkAclCorpus corpus) => _corpus = corpus;

    public static TheoryData<string, string> CallersAndModes()
    {
        var data = new TheoryData<string, string>();
        foreach (var caller in GraphAclCorpus.Callers)
        {
            foreach (var mode in new[] { "lexical+graph", "dense+graph", "hybrid" })
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

    [Theory]
    [MemberData(nameof(CallersAndModes))]
    public async Task Search_EmbeddingLinkedSeeds_NeverIncludeUnreadableEntities(string user, string mode)
    {
        using var client = ClientFor(user);
        foreach (var query in GraphAclCorpus.Queries.Append("Which firm has a branch beside a port in Portugal?"))
        {
            var body = await client.PostJsonAsync("/v1/search", new { query, topK = 20, mode });
            var text = body.GetRawText();
            foreach (var word in GraphAclCorpus.ForbiddenWords(user))
            {
                Assert.False(text.Contains(word, StringComparison.OrdinalIgnoreCase), $"{user} saw '{word}' in search '{query}' ({mode}): {text}");
            }
        }
    }

    [Fact]
    public async Task Search_QueryNamingNoEntity_LinksReadableEntitiesByEmbedding()
    {
        // No name of the query matches an entity exactly, so without embedding links the graph list would be empty.
        using var bob = ClientFor("bob");

        var body = await bob.PostJsonAsync("/v1/search", new { query = "Which firm has a branch beside a port in Portugal?", topK = 5, mode = "hybrid" });

        var graphHits = body.GetProperty("results").EnumerateArray().Where(r => r.GetProperty("scores").TryGetProperty("graph", out _)).ToList();
        Assert.NotEmpty(graphHits);
        var seeds = graphHits.SelectMany(h => h.GetProperty("graph").GetProperty("entities").EnumerateArray())
            .Where(e => e.GetProperty("fromQuery").GetBoolean()).Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Contains("Acme Robotics", seeds);
        Assert.All(graphHits, h => Assert.Equal("public-graph", h.GetProperty("documentId").GetString()));
    }
}
