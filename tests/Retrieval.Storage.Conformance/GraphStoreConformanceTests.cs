using Retrieval.Core.Graph;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Conformance;

/// <summary>
/// What every <see cref="IGraphStore"/> (with the document store that writes the graph) must do: entities, aliases,
/// relations, counts and subgraphs exist for a reader only through chunks it may read, and go with their last chunk.
/// </summary>
public abstract class GraphStoreConformanceTests : StorageConformanceBase
{
    private const string Canary = "Zanzibar Quokka Foundation";
    private static readonly AclFilter Alice = TestData.Reader(AclCorpus.Tenant, "alice", "eng");
    private static readonly AclFilter Carol = TestData.Reader(AclCorpus.Tenant, "carol", "hr");
    private static readonly AclFilter Mallory = TestData.Reader(AclCorpus.OtherTenant, "alice", "eng");

    private IGraphStore Graph => Storage.Graph ?? throw new InvalidOperationException("The backend under test must set StorageUnderTest.Graph.");

    private static string Key(string name) => EntityNames.Normalize(name);

    /// <summary>Upserts a document with the graph the fast extractor finds in its chunks.</summary>
    private async Task<TestDocument> UpsertWithGraphAsync(string tenant, string id, string acl, int version, params string[] texts)
    {
        var document = TestData.Document(tenant, id, [acl], texts, version);
        var graph = FastGraphExtractor.Extract([.. document.Chunks.Select(c => (c.Id, c.Text))]);
        await Store.UpsertAsync(document.Document, document.Chunks, graph, Ct);
        return document;
    }

    private async Task SeedAsync()
    {
        await UpsertWithGraphAsync(AclCorpus.Tenant, "eng", AclEntry.Group("eng"), 1,
            $"The {Canary} funds Acme Robotics in Lisbon.", "Acme Robotics hired Grace Hopper last year.");
        await UpsertWithGraphAsync(AclCorpus.Tenant, "public", AclEntry.Public, 1, "Acme Robotics opened an office beside Lisbon Harbour.");
        await UpsertWithGraphAsync(AclCorpus.OtherTenant, "eng", AclEntry.Public, 1, $"The {Canary} is public in globex.");
    }

    [Fact]
    public async Task FindByKeys_RestrictedEntity_OnlyForReadersOfItsChunks()
    {
        await SeedAsync();

        Assert.Single(await Graph.FindByKeysAsync(Alice, [Key(Canary)], Ct));
        Assert.Empty(await Graph.FindByKeysAsync(Carol, [Key(Canary)], Ct));
        var other = Assert.Single(await Graph.FindByKeysAsync(Mallory, [Key(Canary)], Ct));
        Assert.Equal(1, other.Entity.Chunks); // the other tenant's own entity, counted from its own chunk only
        Assert.Empty(await Graph.SearchAsync(Carol, "zanzibar", 10, Ct));
        Assert.Single(await Graph.SearchAsync(Alice, "zanzibar", 10, Ct));
    }

    [Fact]
    public async Task Counts_AndNeighbors_ComeFromReadableChunksOnly()
    {
        await SeedAsync();

        var asCarol = Assert.Single(await Graph.FindByKeysAsync(Carol, [Key("Acme Robotics")], Ct)).Entity;
        var asAlice = Assert.Single(await Graph.FindByKeysAsync(Alice, [Key("Acme Robotics")], Ct)).Entity;
        Assert.Equal(1, asCarol.Chunks);
        Assert.Equal(3, asAlice.Chunks);
        Assert.Equal(asAlice.Id, asCarol.Id);

        var carolDetail = await Graph.GetAsync(Carol, asCarol.Id, 50, 50, Ct);
        Assert.NotNull(carolDetail);
        Assert.DoesNotContain(carolDetail.Neighbors, n => n.Entity.Name.Contains("Quokka", StringComparison.Ordinal) || n.Entity.Name.Contains("Hopper", StringComparison.Ordinal));
        Assert.Contains(carolDetail.Neighbors, n => n.Entity.Name == "Lisbon Harbour");
        Assert.Single(carolDetail.ChunkIds);

        var aliceDetail = await Graph.GetAsync(Alice, asAlice.Id, 50, 50, Ct);
        Assert.NotNull(aliceDetail);
        Assert.Contains(aliceDetail.Neighbors, n => n.Entity.Name == Canary);
        Assert.Contains(aliceDetail.Neighbors, n => n.Entity.Name == "Grace Hopper");
        Assert.Equal(3, aliceDetail.ChunkIds.Count);
    }

    [Fact]
    public async Task Get_UnreadableEntity_IsNullLikeMissing()
    {
        await SeedAsync();
        var canary = Assert.Single(await Graph.FindByKeysAsync(Alice, [Key(Canary)], Ct)).Entity;

        Assert.Null(await Graph.GetAsync(Carol, canary.Id, 10, 10, Ct));
        Assert.Null(await Graph.GetAsync(Mallory, canary.Id, 10, 10, Ct));
        Assert.Null(await Graph.GetAsync(Alice, "0000000000000000", 10, 10, Ct));
    }

    [Fact]
    public async Task Subgraph_ContainsOnlyReadableChunksAndTheirEntities()
    {
        await SeedAsync();
        var acme = Assert.Single(await Graph.FindByKeysAsync(Alice, [Key("Acme Robotics")], Ct)).Entity;

        var carol = await Graph.GetSubgraphAsync(Carol, [acme.Id], [], new GraphExpansion(2, 50, 1000), Ct);
        Assert.Single(carol.ChunkIds);
        Assert.DoesNotContain(carol.Entities, e => e.Name == Canary || e.Name == "Grace Hopper");

        var alice = await Graph.GetSubgraphAsync(Alice, [acme.Id], [], new GraphExpansion(2, 50, 1000), Ct);
        Assert.Equal(3, alice.ChunkIds.Count);
        Assert.Contains(alice.Entities, e => e.Name == Canary);
        Assert.All(alice.Edges, e => Assert.InRange(e.Chunk, 0, alice.ChunkIds.Count - 1));
    }

    [Fact]
    public async Task Subgraph_UnreadableSeedChunk_IsIgnored()
    {
        var eng = await UpsertWithGraphAsync(AclCorpus.Tenant, "eng", AclEntry.Group("eng"), 1, $"The {Canary} funds Acme Robotics.");

        var carol = await Graph.GetSubgraphAsync(Carol, [], eng.ChunkIds, new GraphExpansion(2, 50, 1000), Ct);

        Assert.Empty(carol.ChunkIds);
        Assert.Empty(carol.Entities);
    }

    [Fact]
    public async Task Reingest_WithoutEntity_RemovesEntityAndItsRelations()
    {
        await UpsertWithGraphAsync(AclCorpus.Tenant, "doc", AclEntry.Public, 1, "Ada Lovelace corresponded with Charles Babbage.");
        var babbage = Assert.Single(await Graph.FindByKeysAsync(Alice, [Key("Charles Babbage")], Ct)).Entity;
        Assert.Equal("fast/1", await Graph.GetExtractorAsync(AclCorpus.Tenant, "doc", Ct));

        await UpsertWithGraphAsync(AclCorpus.Tenant, "doc", AclEntry.Public, 2, "Ada Lovelace wrote notes on Luigi Menabrea.");

        Assert.Empty(await Graph.FindByKeysAsync(Alice, [Key("Charles Babbage")], Ct));
        Assert.Null(await Graph.GetAsync(Alice, babbage.Id, 10, 10, Ct));
        var ada = Assert.Single(await Graph.FindByKeysAsync(Alice, [Key("Ada Lovelace")], Ct)).Entity;
        var detail = await Graph.GetAsync(Alice, ada.Id, 10, 10, Ct);
        Assert.NotNull(detail);
        Assert.Equal(["Luigi Menabrea"], detail.Neighbors.Select(n => n.Entity.Name));
        Assert.Equal(1, detail.Entity.Chunks);
    }

    [Fact]
    public async Task Reingest_WithNewAcl_MovesTheGraphWithTheChunks()
    {
        await UpsertWithGraphAsync(AclCorpus.Tenant, "doc", AclEntry.Public, 1, $"The {Canary} met.");
        Assert.Single(await Graph.FindByKeysAsync(Carol, [Key(Canary)], Ct));

        await UpsertWithGraphAsync(AclCorpus.Tenant, "doc", AclEntry.Group("eng"), 2, $"The {Canary} met.");

        Assert.Empty(await Graph.FindByKeysAsync(Carol, [Key(Canary)], Ct));
        Assert.Single(await Graph.FindByKeysAsync(Alice, [Key(Canary)], Ct));
    }

    [Fact]
    public async Task Delete_RemovesEntitiesNoOtherChunkSupports()
    {
        await UpsertWithGraphAsync(AclCorpus.Tenant, "a", AclEntry.Public, 1, "Grace Hopper met Alan Turing.");
        await UpsertWithGraphAsync(AclCorpus.Tenant, "b", AclEntry.Public, 1, "Grace Hopper wrote compilers.");

        Assert.True(await Store.DeleteAsync(AclCorpus.Tenant, "a", Ct));

        Assert.Empty(await Graph.FindByKeysAsync(Alice, [Key("Alan Turing")], Ct));
        var hopper = Assert.Single(await Graph.FindByKeysAsync(Alice, [Key("Grace Hopper")], Ct)).Entity;
        Assert.Equal(1, hopper.Chunks);
        var detail = await Graph.GetAsync(Alice, hopper.Id, 10, 10, Ct);
        Assert.Empty(detail!.Neighbors);
        Assert.Null(await Graph.GetExtractorAsync(AclCorpus.Tenant, "a", Ct));
    }

    [Fact]
    public async Task Aliases_LinkToTheEntity_ForReadersOfTheAliasingChunk()
    {
        await UpsertWithGraphAsync(AclCorpus.Tenant, "doc", AclEntry.Group("eng"), 1, "Ebenezer Scrooge counted coins. Later Scrooge slept.");

        var linked = Assert.Single(await Graph.FindByKeysAsync(Alice, ["scrooge"], Ct));
        Assert.Equal("Ebenezer Scrooge", linked.Entity.Name);
        Assert.Equal("scrooge", linked.MatchedKey);
        Assert.Empty(await Graph.FindByKeysAsync(Carol, ["scrooge"], Ct));
        var detail = await Graph.GetAsync(Alice, linked.Entity.Id, 10, 10, Ct);
        Assert.Equal(["scrooge"], detail!.Aliases);
    }

    [Fact]
    public async Task Upsert_WithoutGraph_LeavesNoGraphBehind()
    {
        await UpsertWithGraphAsync(AclCorpus.Tenant, "doc", AclEntry.Public, 1, "Grace Hopper met Alan Turing.");
        var plain = TestData.Document(AclCorpus.Tenant, "doc", [AclEntry.Public], ["Grace Hopper met Alan Turing."], version: 2);

        await Store.UpsertAsync(plain.Document, plain.Chunks, Ct);

        Assert.Empty(await Graph.FindByKeysAsync(Alice, [Key("Grace Hopper")], Ct));
        Assert.Null(await Graph.GetExtractorAsync(AclCorpus.Tenant, "doc", Ct));
    }
}
