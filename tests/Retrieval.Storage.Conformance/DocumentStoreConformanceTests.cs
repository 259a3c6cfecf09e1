using Retrieval.Core.Documents;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Conformance;

/// <summary>What every <see cref="Core.Storage.IDocumentStore"/> must do (DESIGN.md §2, §3).</summary>
public abstract class DocumentStoreConformanceTests : StorageConformanceBase
{
    private static readonly AclFilter Alice = TestData.Reader(AclCorpus.Tenant, "alice", "eng");

    [Fact]
    public async Task Upsert_ThenFind_RoundTripsEveryField()
    {
        var document = TestData.Document("t1", "doc-1", ["group:eng", "user:bob"], ["first chunk text", "second chunk text"]);
        await UpsertAsync(document);

        var found = await Store.FindAsync("t1", "doc-1", Ct);

        Assert.NotNull(found);
        Assert.Equal(document.Document.Title, found.Title);
        Assert.Equal(document.Document.Source, found.Source);
        Assert.Equal(document.Document.ContentType, found.ContentType);
        Assert.Equal(document.Document.ContentHash, found.ContentHash);
        Assert.Equal(document.Document.Version, found.Version);
        Assert.Equal(document.Document.Acl, found.Acl);
        Assert.Equal(document.Document.Metadata.OrderBy(p => p.Key), found.Metadata.OrderBy(p => p.Key));
        Assert.Equal(document.Document.ChunkCount, found.ChunkCount);
        Assert.Equal(document.Document.TokenCount, found.TokenCount);
        Assert.Equal(document.Document.CreatedAt, found.CreatedAt);
        Assert.Equal(document.Document.UpdatedAt, found.UpdatedAt);
        Assert.Null(await Store.FindAsync("t1", "missing", Ct));
    }

    [Fact]
    public async Task GetChunks_ReadableIds_ReturnsTextOffsetsEmbeddingAndTitleInRequestedOrder()
    {
        var document = TestData.Document(AclCorpus.Tenant, "doc-1", ["group:eng"], ["alpha chunk", "beta chunk", "gamma chunk"], title: "Greek");
        await UpsertAsync(document);
        var requested = new[] { document.Chunks[2].Id, "unknown-id", document.Chunks[0].Id };

        var chunks = await Store.GetChunksAsync(Alice, requested, Ct);

        Assert.Equal([document.Chunks[2].Id, document.Chunks[0].Id], chunks.Select(c => c.Chunk.Id));
        var gamma = chunks[0];
        Assert.Equal("Greek", gamma.Title);
        Assert.Equal(document.Document.Source, gamma.Source);
        Assert.Equal("gamma chunk", gamma.Chunk.Text);
        Assert.Equal("doc-1", gamma.Chunk.DocumentId);
        Assert.Equal(2, gamma.Chunk.Ordinal);
        Assert.Equal(document.Chunks[2].StartOffset, gamma.Chunk.StartOffset);
        Assert.Equal(document.Chunks[2].EndOffset, gamma.Chunk.EndOffset);
        Assert.Equal(document.Chunks[2].SectionPath, gamma.Chunk.SectionPath);
        Assert.Equal(document.Chunks[2].TokenCount, gamma.Chunk.TokenCount);
        Assert.Equal(document.Chunks[2].Embedding.ToArray(), gamma.Chunk.Embedding.ToArray());
    }

    [Fact]
    public async Task Upsert_NewVersionWithFewerChunks_ReplacesEverythingAtomically()
    {
        var v1 = TestData.Document(AclCorpus.Tenant, "doc", ["group:eng"], ["oldword one", "oldword two", "oldword three"], version: 1);
        var v2 = TestData.Document(AclCorpus.Tenant, "doc", ["group:eng"], ["newword only"], version: 2);
        await UpsertAsync(v1);
        await UpsertAsync(v2);

        Assert.Equal(2, (await Store.FindAsync(AclCorpus.Tenant, "doc", Ct))!.Version);
        Assert.Empty(await Store.GetChunksAsync(Alice, v1.ChunkIds, Ct));
        Assert.Equal(v2.ChunkIds, (await Store.GetChunksAsync(Alice, v2.ChunkIds, Ct)).Select(c => c.Chunk.Id));
        Assert.Empty(await Lexical.SearchAsync(Alice, "oldword", 10, Ct));
        Assert.Equal(v2.ChunkIds, (await Lexical.SearchAsync(Alice, "newword", 10, Ct)).Select(r => r.ChunkId));
        var dense = await Vectors.SearchAsync(Alice, v1.Chunks[0].Embedding, 10, Ct);
        Assert.Equal(v2.ChunkIds, dense.Select(r => r.ChunkId));
        Assert.Equal(new StoreStatistics(1, 1), await Store.GetStatisticsAsync(Ct));
    }

    [Fact]
    public async Task Upsert_NewAcl_AppliesToEveryChunk()
    {
        var engOnly = TestData.Document(AclCorpus.Tenant, "doc", ["group:eng"], ["movingword text"], version: 1);
        var hrOnly = TestData.Document(AclCorpus.Tenant, "doc", ["group:hr"], ["movingword text"], version: 2);
        var carol = TestData.Reader(AclCorpus.Tenant, "carol", "hr");
        await UpsertAsync(engOnly, hrOnly);

        Assert.Empty(await Lexical.SearchAsync(Alice, "movingword", 10, Ct));
        Assert.Empty(await Vectors.SearchAsync(Alice, hrOnly.Chunks[0].Embedding, 10, Ct));
        Assert.Null(await Store.GetReadableAsync(Alice, "doc", Ct));
        Assert.Single(await Lexical.SearchAsync(carol, "movingword", 10, Ct));
        Assert.Single(await Vectors.SearchAsync(carol, hrOnly.Chunks[0].Embedding, 10, Ct));
    }

    [Fact]
    public async Task Delete_RemovesDocumentAndChunksFromEveryIndex()
    {
        var document = TestData.Document(AclCorpus.Tenant, "doc", ["public"], ["vanishingword first", "vanishingword second"]);
        var keep = TestData.Document(AclCorpus.Tenant, "keep", ["public"], ["remainingword here"]);
        await UpsertAsync(document, keep);
        Assert.Equal(2, (await Lexical.SearchAsync(Alice, "vanishingword", 10, Ct)).Count);

        Assert.True(await Store.DeleteAsync(AclCorpus.Tenant, "doc", Ct));

        Assert.Null(await Store.FindAsync(AclCorpus.Tenant, "doc", Ct));
        Assert.Null(await Store.GetReadableAsync(Alice, "doc", Ct));
        Assert.Empty(await Store.GetChunksAsync(Alice, document.ChunkIds, Ct));
        Assert.Empty(await Lexical.SearchAsync(Alice, "vanishingword", 10, Ct));
        var dense = await Vectors.SearchAsync(Alice, document.Chunks[0].Embedding, 10, Ct);
        Assert.Equal(keep.ChunkIds, dense.Select(r => r.ChunkId));
        Assert.Equal(new StoreStatistics(1, 1), await Store.GetStatisticsAsync(Ct));
        Assert.False(await Store.DeleteAsync(AclCorpus.Tenant, "doc", Ct));
    }

    [Fact]
    public async Task GetReadable_EveryReaderAndDocument_ReturnsOnlyWhatTheReaderMayRead()
    {
        await AclCorpus.SeedAsync(Store);

        foreach (var (name, filter) in AclCorpus.Readers)
        {
            foreach (var id in AclCorpus.Documents.Select(d => d.Document.Id).Distinct())
            {
                var readable = await Store.GetReadableAsync(filter, id, Ct);
                var expected = AclCorpus.Documents.SingleOrDefault(d => d.Document.Id == id && AclCorpus.MayRead(filter, d));
                if (expected is null)
                {
                    Assert.True(readable is null, $"{name} must not read {id}");
                }
                else
                {
                    Assert.True(readable is not null, $"{name} should read {expected.Document.Tenant}/{id}");
                    Assert.Equal(expected.Document.Tenant, readable.Tenant);
                    Assert.Equal(expected.Document.ContentHash, readable.ContentHash);
                }
            }
        }
    }

    [Fact]
    public async Task GetChunks_AllCorpusIds_ReturnsExactlyTheReadableOnes()
    {
        await AclCorpus.SeedAsync(Store);
        var allIds = AclCorpus.Documents.SelectMany(d => d.ChunkIds).ToList();

        foreach (var (name, filter) in AclCorpus.Readers)
        {
            var returned = (await Store.GetChunksAsync(filter, allIds, Ct)).Select(c => c.Chunk.Id).ToHashSet();
            Assert.True(AclCorpus.ReadableChunkIds(filter).SetEquals(returned), $"{name} got [{string.Join(", ", returned)}]");
        }
    }

    [Fact]
    public async Task SameDocumentIdInTwoTenants_StaysSeparate()
    {
        await UpsertAsync(AclCorpus.Engineering, AclCorpus.OtherTenantEngineering);

        Assert.Equal(AclCorpus.Engineering.Document.ContentHash, (await Store.FindAsync(AclCorpus.Tenant, "eng-doc", Ct))!.ContentHash);
        Assert.Equal(AclCorpus.OtherTenantEngineering.Document.ContentHash, (await Store.FindAsync(AclCorpus.OtherTenant, "eng-doc", Ct))!.ContentHash);
        Assert.Equal(AclCorpus.Engineering.Document.ContentHash, (await Store.GetReadableAsync(Alice, "eng-doc", Ct))!.ContentHash);

        Assert.True(await Store.DeleteAsync(AclCorpus.OtherTenant, "eng-doc", Ct));

        Assert.NotNull(await Store.FindAsync(AclCorpus.Tenant, "eng-doc", Ct));
        Assert.Equal(AclCorpus.Engineering.ChunkIds, (await Store.GetChunksAsync(Alice, AclCorpus.Engineering.ChunkIds, Ct)).Select(c => c.Chunk.Id));
    }

    [Fact]
    public async Task FindEmbeddings_SameModelAndText_ReturnsStoredVectors()
    {
        var document = TestData.Document("t1", "doc", ["public"], ["reusable text one", "reusable text two"]);
        await UpsertAsync(document);
        var hash = ChunkId.ContentHash("reusable text one");

        var found = await Store.FindEmbeddingsAsync(TestData.ModelId, [hash, ChunkId.ContentHash("never stored")], Ct);

        Assert.Equal([hash], found.Keys);
        Assert.Equal(document.Chunks[0].Embedding.ToArray(), found[hash]);
        Assert.Empty(await Store.FindEmbeddingsAsync("another-model", [hash], Ct));
        Assert.Empty(await Store.FindEmbeddingsAsync(TestData.ModelId, [], Ct));
    }

    [Fact]
    public async Task GetStatistics_CountsDocumentsAndChunksOfAllTenants()
    {
        await AclCorpus.SeedAsync(Store);

        var statistics = await Store.GetStatisticsAsync(Ct);

        Assert.Equal(AclCorpus.Documents.Count, statistics.Documents);
        Assert.Equal(AclCorpus.Documents.Sum(d => d.Chunks.Count), statistics.Chunks);
    }

    [Fact]
    public async Task Readers_DuringRepeatedReplacement_SeeOneWholeVersion()
    {
        const int Versions = 25;
        var versions = Enumerable.Range(1, Versions)
            .Select(v => TestData.Document(AclCorpus.Tenant, "doc", ["public"],
                [.. Enumerable.Range(0, (v % 3) + 1).Select(i => $"churnword version{v} part{i}")], version: v))
            .ToList();
        var versionOf = versions.SelectMany(d => d.ChunkIds.Select(id => (id, d.Document.Version))).ToDictionary(p => p.id, p => p.Version);
        await UpsertAsync(versions[0]);

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            foreach (var version in versions.Skip(1))
            {
                await Store.UpsertAsync(version.Document, version.Chunks, Ct);
            }
        });
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            var checks = 0;
            while (!writer.IsCompleted || checks < 5)
            {
                var lexical = await Lexical.SearchAsync(Alice, "churnword", 10, Ct);
                AssertOneWholeVersion(lexical.Select(r => r.ChunkId));
                var dense = await Vectors.SearchAsync(Alice, versions[0].Chunks[0].Embedding, 10, Ct);
                AssertOneWholeVersion(dense.Select(r => r.ChunkId));
                checks++;
            }
        })).ToList();

        await writer;
        await Task.WhenAll(readers);
        Assert.Equal(versions[^1].ChunkIds.Order(), (await Lexical.SearchAsync(Alice, "churnword", 10, Ct)).Select(r => r.ChunkId).Order());

        void AssertOneWholeVersion(IEnumerable<string> ids)
        {
            var found = ids.ToList();
            var seen = found.Select(id => versionOf[id]).Distinct().ToList();
            Assert.Single(seen);
            Assert.Equal((seen[0] % 3) + 1, found.Count);
        }
    }
}
