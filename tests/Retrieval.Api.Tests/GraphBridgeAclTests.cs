using System.Net;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

/// <summary>
/// Topic bridging (<c>Retrieval:Graph:BridgeWeight</c>) over a corpus whose documents are titled after entities: the
/// journal's passage names the society that publishes it and its editor; the society's article is public, the editor's
/// is readable by group <c>hr</c> only and carries canary words. The bridge must reach the society for everyone and the
/// editor's article only for a caller who may read it.
/// </summary>
public sealed class GraphBridgeAclCorpus : IAsyncLifetime
{
    public const string Query = "Who founded the publisher of the Journal of Quokka Studies?";

    public static readonly (string Id, string Title, string Text, string Acl)[] Documents =
    [
        ("journal", "Journal of Quokka Studies", "The Journal of Quokka Studies is published quarterly by the Brambleton Society. Its editor is Mara Fenwick.", "public"),
        ("society", "Brambleton Society", "The Brambleton Society was founded by Osric Tallow in 1901. The Brambleton Society keeps its archive in Leeds.", "public"),
        ("editor", "Mara Fenwick", "Mara Fenwick chaired the Xylocorp Zephyrine Holdings board before she edited journals.", "group:hr"),
    ];

    public static readonly string[] CanaryWords = ["Xylocorp", "Zephyrine"];

    public RetrievalApiFactory Factory { get; } = new(settings: new Dictionary<string, string?>
    {
        ["Retrieval:Graph:BridgeWeight"] = "0.5",
    });

    public async Task InitializeAsync()
    {
        using var admin = Factory.ClientFor("loader", roles: [RetrievalRoles.Admin]);
        foreach (var (id, title, text, acl) in Documents)
        {
            await admin.PostJsonAsync("/v1/documents", new { id, title, text, acl = new[] { acl } }, HttpStatusCode.Created);
        }
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class GraphBridgeAclCollection : ICollectionFixture<GraphBridgeAclCorpus>
{
    public const string Name = "graph bridge acl corpus";
}

[Collection(GraphBridgeAclCollection.Name)]
public sealed class GraphBridgeAclTests
{
    private readonly GraphBridgeAclCorpus _corpus;

    public GraphBridgeAclTests(GraphBridgeAclCorpus corpus) => _corpus = corpus;

    [Fact]
    public async Task Search_BridgeWeight_LiftsArticleAboutEntityOfTopPassage()
    {
        using var bob = _corpus.Factory.ClientFor("bob", [], [RetrievalRoles.Reader]);

        var body = await bob.PostJsonAsync("/v1/search", new { query = GraphBridgeAclCorpus.Query, topK = 5, mode = "hybrid" });

        var society = body.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("documentId").GetString() == "society");
        Assert.True(society.GetProperty("scores").TryGetProperty("bridge", out _), society.GetRawText());
        var graph = society.GetProperty("graph");
        Assert.Equal("Brambleton Society", graph.GetProperty("entities")[0].GetProperty("name").GetString());
        var from = graph.GetProperty("fromPassage").GetString();
        var journal = body.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("documentId").GetString() == "journal");
        Assert.Equal(journal.GetProperty("chunkId").GetString(), from);
    }

    [Fact]
    public async Task Search_BridgeTargetReadable_IsLiftedForItsReader()
    {
        // The positive control of the canary test below: the editor's article is a bridge target for a caller who may read it.
        using var hank = _corpus.Factory.ClientFor("hank", ["hr"], [RetrievalRoles.Reader]);

        var body = await hank.PostJsonAsync("/v1/search", new { query = GraphBridgeAclCorpus.Query, topK = 5, mode = "hybrid" });

        var editor = body.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("documentId").GetString() == "editor");
        Assert.True(editor.GetProperty("scores").TryGetProperty("bridge", out _), editor.GetRawText());
    }

    [Theory]
    [InlineData("hybrid")]
    [InlineData("dense+graph")]
    [InlineData("lexical+graph")]
    public async Task Search_BridgeTargetUnreadable_NeverReturnedNorNamed(string mode)
    {
        using var bob = _corpus.Factory.ClientFor("bob", [], [RetrievalRoles.Reader]);

        foreach (var query in new[] { GraphBridgeAclCorpus.Query, "Who edits the Journal of Quokka Studies?", "Mara Fenwick" })
        {
            var body = await bob.PostJsonAsync("/v1/search", new { query, topK = 20, mode });

            var text = body.GetRawText();
            Assert.DoesNotContain(body.GetProperty("results").EnumerateArray(), r => r.GetProperty("documentId").GetString() == "editor");
            foreach (var word in GraphBridgeAclCorpus.CanaryWords)
            {
                Assert.False(text.Contains(word, StringComparison.OrdinalIgnoreCase), $"bob saw '{word}' in search '{query}' ({mode}): {text}");
            }
        }
    }
}
