using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Core;
using Retrieval.Core.Documents;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;
using Retrieval.Storage.Conformance;

namespace Retrieval.Storage.Neo4j.Tests;

/// <summary>The write path: which statements a projection sends, in which order, with which parameters.</summary>
public sealed class Neo4jGraphProjectionTests
{
    private const string Tenant = AclCorpus.Tenant;

    private static TestDocument Document(int version = 1, params string[] texts) =>
        TestData.Document(Tenant, "doc", [AclEntry.Group("eng"), AclEntry.User("bob")], texts.Length == 0 ? ["Ada Lovelace corresponded with Charles Babbage."] : texts, version);

    /// <summary>A fake Neo4j that answers each write as the real one would shape it.</summary>
    private static FakeNeo4jHandler Server(Func<ReceivedRequest, HttpResponseMessage?>? overrides = null) => new(request =>
        overrides?.Invoke(request) ?? request.Statement switch
        {
            var s when s == Cypher.ClearDocument => FakeNeo4jHandler.Rows(["entity"], ["old-entity"]),
            var s when s == Cypher.DeleteOrphanEntities => FakeNeo4jHandler.Rows(["name"], ["acme\u001fold name"]),
            _ => FakeNeo4jHandler.Rows([]),
        });

    private static IIndexProjection Projection(ServiceProvider services) => Assert.Single(services.GetServices<IIndexProjection>());

    [Fact]
    public async Task ProjectAsync_WritesInOrderAndMarksTheVersionCurrentLast()
    {
        var handler = Server();
        using var services = FakeNeo4j.Services(handler);
        var document = Document();
        var graph = FastGraphExtractor.Extract([.. document.Chunks.Select(c => (c.Id, c.Text))]);

        await Projection(services).ProjectAsync(document.Document, document.Chunks, graph, CancellationToken.None);

        Assert.Equal(
            [nameof(Cypher.BeginDocument), nameof(Cypher.ClearDocument), nameof(Cypher.UpsertChunks), nameof(Cypher.UpsertMentions),
             nameof(Cypher.UpsertRelations), nameof(Cypher.DeleteOrphanEntities), nameof(Cypher.DeleteOrphanNames), nameof(Cypher.CompleteDocument)],
            handler.Requests.Select(r => NameOf(r.Statement)));
        var clear = handler.Requests[1];
        Assert.Equal(document.ChunkIds, clear.Parameters["keep"]!.AsArray().Select(x => x!.GetValue<string>()));
        var chunks = handler.Requests[2].Parameters;
        Assert.Equal(Tenant, chunks["tenant"]!.GetValue<string>());
        Assert.Equal(["group:eng", "user:bob"], chunks["acl"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(ChunkId.ContentHash(document.Chunks[0].Text), chunks["rows"]![0]!["hash"]!.GetValue<string>());
        var mentions = handler.Requests[3].Parameters["rows"]!.AsArray();
        Assert.Contains(mentions, m => m!["key"]!.GetValue<string>() == "charles babbage" && m["entity"]!.GetValue<string>() == Cypher.EntityId(Tenant, "charles babbage"));
        var relation = Assert.Single(handler.Requests[4].Parameters["rows"]!.AsArray());
        Assert.True(string.CompareOrdinal(relation!["source"]!.GetValue<string>(), relation["target"]!.GetValue<string>()) < 0);
        Assert.Equal(["old-entity"], handler.Requests[5].Parameters["ids"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(["acme\u001fold name"], handler.Requests[6].Parameters["uids"]!.AsArray().Select(x => x!.GetValue<string>()));
        var complete = handler.Requests[7].Parameters;
        Assert.Equal(1, complete["version"]!.GetValue<int>());
        Assert.Equal(document.Document.ContentHash, complete["contentHash"]!.GetValue<string>());
        Assert.Equal("fast/1", complete["extractor"]!.GetValue<string>());
    }

    [Fact]
    public async Task ProjectAsync_WithoutGraph_WritesChunksAndNoExtractor()
    {
        var handler = Server();
        using var services = FakeNeo4j.Services(handler);
        var document = Document();

        await Projection(services).ProjectAsync(document.Document, document.Chunks, graph: null, CancellationToken.None);

        Assert.DoesNotContain(handler.Requests, r => r.Statement == Cypher.UpsertMentions || r.Statement == Cypher.UpsertRelations);
        Assert.Null(handler.Requests[^1].Parameters["extractor"]);
    }

    [Fact]
    public async Task ProjectAsync_ManyChunks_AreWrittenInBatches()
    {
        var handler = Server();
        using var services = FakeNeo4j.Services(handler, settings: new() { ["Retrieval:Storage:Neo4j:BatchSize"] = "2" });
        var document = Document(1, "One.", "Two.", "Three.", "Four.", "Five.");

        await Projection(services).ProjectAsync(document.Document, document.Chunks, graph: null, CancellationToken.None);

        var batches = handler.Requests.Where(r => r.Statement == Cypher.UpsertChunks).Select(r => r.Parameters["rows"]!.AsArray().Count).ToList();
        Assert.Equal([2, 2, 1], batches);
    }

    [Fact]
    public async Task ProjectAsync_FailsPartWay_NeverMarksTheVersionCurrent()
    {
        var handler = Server(request => request.Statement == Cypher.UpsertMentions ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) : null);
        using var services = FakeNeo4j.Services(handler);
        var document = Document();
        var graph = FastGraphExtractor.Extract([.. document.Chunks.Select(c => (c.Id, c.Text))]);

        await Assert.ThrowsAsync<DependencyUnavailableException>(() => Projection(services).ProjectAsync(document.Document, document.Chunks, graph, CancellationToken.None));

        Assert.DoesNotContain(handler.Requests, r => r.Statement == Cypher.CompleteDocument);
        Assert.Equal(nameof(Cypher.BeginDocument), NameOf(handler.Requests[0].Statement));
    }

    [Fact]
    public async Task ProjectAsync_GraphNamingAForeignChunk_IsRejectedBeforeAnyWrite()
    {
        var handler = Server();
        using var services = FakeNeo4j.Services(handler);
        var document = Document();
        var foreign = new DocumentGraph("fast/1", [new ChunkGraph("not-a-chunk-of-doc", [new EntityMention("x", "X", null, 1, [])], [])]);

        await Assert.ThrowsAsync<ArgumentException>(() => Projection(services).ProjectAsync(document.Document, document.Chunks, foreign, CancellationToken.None));

        Assert.Empty(handler.Requests);
    }

    [Theory]
    [InlineData(true, 2, true)]
    [InlineData(true, 1, false)]
    [InlineData(false, 2, false)]
    public async Task IsCurrentAsync_OnlyForACompletedProjectionOfThatVersion(bool projected, int storedVersion, bool expected)
    {
        var document = Document(version: 2);
        var handler = new FakeNeo4jHandler(_ => FakeNeo4jHandler.Rows(["projected", "version", "contentHash", "extractor"],
            [projected, storedVersion, document.Document.ContentHash, "fast/1"]));
        using var services = FakeNeo4j.Services(handler);

        Assert.Equal(expected, await Projection(services).IsCurrentAsync(document.Document, CancellationToken.None));
    }

    [Fact]
    public async Task IsCurrentAsync_OtherContentOrNothingStored_IsFalse()
    {
        var document = Document(version: 1);
        var other = new FakeNeo4jHandler(_ => FakeNeo4jHandler.Rows(["projected", "version", "contentHash", "extractor"], [true, 1, "another hash", null]));
        using var services = FakeNeo4j.Services(other);
        var nothing = new FakeNeo4jHandler(_ => FakeNeo4jHandler.Rows(["projected", "version", "contentHash", "extractor"]));
        using var documents = new TemporaryEmbeddedStore();
        using var empty = FakeNeo4j.Services(nothing, documents.Documents);

        Assert.False(await Projection(services).IsCurrentAsync(document.Document, CancellationToken.None));
        Assert.False(await Projection(empty).IsCurrentAsync(document.Document, CancellationToken.None));
        Assert.Null(await empty.GetRequiredService<IGraphStore>().GetExtractorAsync(Tenant, "doc", CancellationToken.None));
    }

    [Fact]
    public async Task RemoveAsync_ClearsEverythingThenDeletesTheDocument()
    {
        var handler = Server();
        using var services = FakeNeo4j.Services(handler);

        await Projection(services).RemoveAsync(Tenant, "doc", CancellationToken.None);

        Assert.Equal(
            [nameof(Cypher.BeginRemoval), nameof(Cypher.ClearDocument), nameof(Cypher.DeleteOrphanEntities), nameof(Cypher.DeleteOrphanNames), nameof(Cypher.DeleteDocument)],
            handler.Requests.Select(r => NameOf(r.Statement)));
        Assert.Empty(handler.Requests[1].Parameters["keep"]!.AsArray());
        Assert.Equal(Cypher.DocumentUid(Tenant, "doc"), handler.Requests[^1].Parameters["uid"]!.GetValue<string>());
    }

    [Fact]
    public void Rows_RelationsOnlyBetweenEntitiesTheChunkMentions_OncePerPair()
    {
        var graph = new DocumentGraph("fast/1",
        [
            new ChunkGraph("c1",
                [new EntityMention("ada lovelace", "Ada Lovelace", "person", 2, ["lovelace"]), new EntityMention("charles babbage", "Charles Babbage", "person", 1, [])],
                [new EntityRelation("ada lovelace", "charles babbage", 1.0), new EntityRelation("ada lovelace", "charles babbage", 0.5),
                 new EntityRelation("ada lovelace", "not mentioned", 1.0), new EntityRelation("ada lovelace", "ada lovelace", 1.0)]),
        ]);

        var (mentions, relations) = Neo4jGraphProjection.Rows(Tenant, graph);

        Assert.Equal(2, mentions.Count);
        Assert.Equal(new[] { "ada lovelace", "lovelace" }, (string[])mentions[0]["names"]!);
        Assert.Equal(new[] { Cypher.NameUid(Tenant, "ada lovelace"), Cypher.NameUid(Tenant, "lovelace") }, (string[])mentions[0]["nameUids"]!);
        var relation = Assert.Single(relations);
        Assert.Equal("c1", relation["chunk"]);
        Assert.Equal(1.0, relation["weight"]);
    }

    private static string NameOf(string statement) =>
        typeof(Cypher).GetFields().Single(f => f.IsLiteral && (string?)f.GetRawConstantValue() == statement).Name;
}
