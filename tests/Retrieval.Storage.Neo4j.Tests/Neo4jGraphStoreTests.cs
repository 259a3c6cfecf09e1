using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Core.Documents;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;
using Retrieval.Storage.Conformance;

namespace Retrieval.Storage.Neo4j.Tests;

/// <summary>
/// What the graph store makes of Neo4j's answers (a fake server answering as Neo4j would) against a real embedded
/// document store: in particular, a Neo4j that lags behind the store after a failed projection — still holding an older
/// version with a broader ACL — shows nothing the store would not serve the caller now.
/// </summary>
public sealed class Neo4jGraphStoreTests : IDisposable
{
    private const string Tenant = AclCorpus.Tenant;
    private const string Text = "The Zanzibar Quokka Foundation funds Acme Robotics.";
    private static readonly AclFilter Alice = TestData.Reader(Tenant, "alice", "eng");
    private static readonly AclFilter Carol = TestData.Reader(Tenant, "carol", "hr");
    private static readonly string[] GroupFields = ["entity", "key", "document", "version", "name", "type", "chunks", "mentions", "chunk", "hash", "names", "hits"];
    private readonly TemporaryEmbeddedStore _embedded = new();

    public void Dispose() => _embedded.Dispose();

    /// <summary>The store holds version 2 of "doc", readable by group eng only (version 1 was public).</summary>
    private async Task<TestDocument> SeedAsync()
    {
        await _embedded.Documents.InitializeAsync(CancellationToken.None);
        var v1 = TestData.Document(Tenant, "doc", [AclEntry.Public], [Text], version: 1);
        await _embedded.Documents.UpsertAsync(v1.Document, v1.Chunks, CancellationToken.None);
        var v2 = TestData.Document(Tenant, "doc", [AclEntry.Group("eng")], [Text], version: 2);
        await _embedded.Documents.UpsertAsync(v2.Document, v2.Chunks, CancellationToken.None);
        return v2;
    }

    /// <summary>Neo4j's answer to FindByKeys: the canary entity supported by one chunk of the given document version.</summary>
    private static object?[] CanaryGroup(int version, string chunkId, string hash) =>
        [Cypher.EntityId(Tenant, "zanzibar quokka foundation"), "zanzibar quokka foundation", "doc", version, "Zanzibar Quokka Foundation", "organization",
            1, 1, chunkId, hash, new[] { "zanzibar quokka foundation" }, new[] { "zanzibar quokka foundation" }];

    private IGraphStore GraphAnswering(object?[] group, out FakeNeo4jHandler handler)
    {
        handler = new FakeNeo4jHandler(request => FakeNeo4jHandler.Rows(GroupFields, group));
        var services = FakeNeo4j.Services(handler, _embedded.Documents);
        return services.GetRequiredService<IGraphStore>();
    }

    [Fact]
    public async Task FindByKeys_Neo4jStillHoldsTheOlderPublicVersion_ShowsNothing()
    {
        await SeedAsync();
        var staleChunk = ChunkId.For(Tenant, "doc", 1, 0);
        var graph = GraphAnswering(CanaryGroup(1, staleChunk, ChunkId.ContentHash(Text)), out var handler);

        Assert.Empty(await graph.FindByKeysAsync(Carol, ["zanzibar quokka foundation"], CancellationToken.None));
        Assert.Empty(await graph.FindByKeysAsync(Alice, ["zanzibar quokka foundation"], CancellationToken.None));
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task FindByKeys_CurrentVersion_OnlyForCallersTheStoreAllows()
    {
        var current = await SeedAsync();
        var graph = GraphAnswering(CanaryGroup(2, current.ChunkIds[0], ChunkId.ContentHash(Text)), out var handler);

        var linked = Assert.Single(await graph.FindByKeysAsync(Alice, ["zanzibar quokka foundation"], CancellationToken.None));
        Assert.Equal("Zanzibar Quokka Foundation", linked.Entity.Name);
        Assert.Equal("organization", linked.Entity.Type);
        Assert.Equal(1, linked.Entity.Chunks);
        Assert.Equal("zanzibar quokka foundation", linked.MatchedKey);

        // Even were Neo4j's own ACL predicate wrong, the store's check would still keep Carol out.
        Assert.Empty(await graph.FindByKeysAsync(Carol, ["zanzibar quokka foundation"], CancellationToken.None));

        var request = handler.Requests[0];
        Assert.Equal(Cypher.FindByKeys, request.Statement);
        Assert.Equal(Tenant, request.Parameters["tenant"]!.GetValue<string>());
        Assert.Equal(Alice.Principals, request.Parameters["principals"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal([Cypher.NameUid(Tenant, "zanzibar quokka foundation")], request.Parameters["uids"]!.AsArray().Select(p => p!.GetValue<string>()));
    }

    [Fact]
    public async Task FindByKeys_DocumentRecreatedWithOtherText_ShowsNothing()
    {
        var current = await SeedAsync();
        var graph = GraphAnswering(CanaryGroup(2, current.ChunkIds[0], ChunkId.ContentHash("Older text of a deleted document.")), out _);

        Assert.Empty(await graph.FindByKeysAsync(Alice, ["zanzibar quokka foundation"], CancellationToken.None));
    }

    [Fact]
    public async Task GetAsync_NeighborsAndChunks_KeepOnlyVerifiedSupport()
    {
        var current = await SeedAsync();
        var canary = Cypher.EntityId(Tenant, "zanzibar quokka foundation");
        var acme = Cypher.EntityId(Tenant, "acme robotics");
        var hash = ChunkId.ContentHash(Text);
        var stale = ChunkId.For(Tenant, "doc", 1, 0);
        var handler = new FakeNeo4jHandler(request => request.Statement switch
        {
            var s when s == Cypher.EntitiesById => FakeNeo4jHandler.Rows(GroupFields,
                request.Parameters["ids"]!.AsArray().Select(id => id!.GetValue<string>()).Select(id => id == canary
                    ? CanaryGroup(2, current.ChunkIds[0], hash)
                    : new object?[] { acme, "acme robotics", "doc", 2, "Acme Robotics", "organization", 1, 1, current.ChunkIds[0], hash, new[] { "acme robotics", "acme" }, Array.Empty<string>() })
                .ToArray()),
            var s when s == Cypher.Neighbors => FakeNeo4jHandler.Rows(["other", "document", "version", "chunks", "weight", "chunk", "hash"],
                [acme, "doc", 2, 1, 0.75, current.ChunkIds[0], hash],
                [Cypher.EntityId(Tenant, "stale neighbour"), "doc", 1, 1, 5.0, stale, hash]),
            var s when s == Cypher.EntityChunks => FakeNeo4jHandler.Rows(["chunk", "document", "version", "hash"],
                [current.ChunkIds[0], "doc", 2, hash], [stale, "doc", 1, hash]),
            _ => FakeNeo4jHandler.Error(HttpStatusCode.BadRequest, "Neo.ClientError.Statement.SyntaxError", "unexpected statement"),
        });
        using var services = FakeNeo4j.Services(handler, _embedded.Documents);
        var graph = services.GetRequiredService<IGraphStore>();

        var detail = await graph.GetAsync(Alice, canary, 10, 10, CancellationToken.None);

        Assert.NotNull(detail);
        var neighbor = Assert.Single(detail.Neighbors);
        Assert.Equal("Acme Robotics", neighbor.Entity.Name);
        Assert.Equal(0.75, neighbor.Weight);
        Assert.Equal([current.ChunkIds[0]], detail.ChunkIds);
        Assert.Empty(detail.Aliases);
        Assert.Null(await graph.GetAsync(Carol, canary, 10, 10, CancellationToken.None));
    }

    [Fact]
    public async Task GetSubgraph_FromASeedEntity_BuildsTheEntityChunkGraphOfVerifiedChunks()
    {
        var current = await SeedAsync();
        var hash = ChunkId.ContentHash(Text);
        var chunk = current.ChunkIds[0];
        var canary = Cypher.EntityId(Tenant, "zanzibar quokka foundation");
        var acme = Cypher.EntityId(Tenant, "acme robotics");
        var handler = new FakeNeo4jHandler(request => request.Statement switch
        {
            var s when s == Cypher.ChunksOfEntities => FakeNeo4jHandler.Rows(["entity", "chunk", "document", "version", "hash"],
                [canary, chunk, "doc", 2, hash], [canary, ChunkId.For(Tenant, "doc", 1, 0), "doc", 1, hash]),
            var s when s == Cypher.MentionsInChunks => FakeNeo4jHandler.Rows(["chunk", "entity", "count"], [chunk, canary, 1], [chunk, acme, 2]),
            var s when s == Cypher.EntitiesById => FakeNeo4jHandler.Rows(GroupFields,
                CanaryGroup(2, chunk, hash),
                [acme, "acme robotics", "doc", 2, "Acme Robotics", null, 1, 2, chunk, hash, new[] { "acme robotics" }, Array.Empty<string>()]),
            _ => FakeNeo4jHandler.Error(HttpStatusCode.BadRequest, "Neo.ClientError.Statement.SyntaxError", "unexpected statement"),
        });
        using var services = FakeNeo4j.Services(handler, _embedded.Documents);

        var subgraph = await services.GetRequiredService<IGraphStore>().GetSubgraphAsync(Alice, [canary], [], new GraphExpansion(1, 10, 100), CancellationToken.None);

        Assert.Equal([chunk], subgraph.ChunkIds);
        Assert.Equal(["Zanzibar Quokka Foundation", "Acme Robotics"], subgraph.Entities.Select(e => e.Name));
        Assert.Equal([new MentionEdge(0, 0, 1), new MentionEdge(1, 0, 2)], subgraph.Edges);
        var mentionsRequest = handler.Requests.Single(r => r.Statement == Cypher.MentionsInChunks);
        Assert.Equal([chunk], mentionsRequest.Parameters["ids"]!.AsArray().Select(x => x!.GetValue<string>())); // the stale chunk never expanded
        Assert.Equal(10, handler.Requests.Single(r => r.Statement == Cypher.ChunksOfEntities).Parameters["perEntity"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetSubgraph_StaleSeedChunk_IsDropped()
    {
        var current = await SeedAsync();
        var hash = ChunkId.ContentHash(Text);
        var stale = ChunkId.For(Tenant, "doc", 1, 0);
        var handler = new FakeNeo4jHandler(request => request.Statement == Cypher.ReadableChunks
            ? FakeNeo4jHandler.Rows(["chunk", "document", "version", "hash"], [stale, "doc", 1, hash])
            : FakeNeo4jHandler.Error(HttpStatusCode.BadRequest, "Neo.ClientError.Statement.SyntaxError", "not expected: nothing verified to expand"));
        using var services = FakeNeo4j.Services(handler, _embedded.Documents);

        var subgraph = await services.GetRequiredService<IGraphStore>().GetSubgraphAsync(Alice, [], [stale, current.ChunkIds[0]], new GraphExpansion(2, 10, 100), CancellationToken.None);

        Assert.Empty(subgraph.ChunkIds);
        Assert.Single(handler.Requests);
    }
}
