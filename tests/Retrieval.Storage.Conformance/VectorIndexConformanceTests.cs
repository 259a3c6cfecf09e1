using Retrieval.Core.Security;

namespace Retrieval.Storage.Conformance;

/// <summary>What every <see cref="Core.Storage.IVectorIndex"/> must do: exact-or-better recall with the ACL applied before ranking.</summary>
public abstract class VectorIndexConformanceTests : StorageConformanceBase
{
    private static readonly string[] AclChoices = ["group:eng", "group:hr", "user:bob", "public", "group:ops"];

    [Fact]
    public async Task Search_RandomVectorsAndAcls_MatchesBruteForceTopK()
    {
        var random = new Random(20250101);
        var documents = new List<TestDocument>();
        for (var i = 0; i < 120; i++)
        {
            var tenant = i % 10 == 0 ? AclCorpus.OtherTenant : AclCorpus.Tenant;
            var acl = AclChoices.Where(_ => random.NextDouble() < 0.3).DefaultIfEmpty(AclChoices[random.Next(AclChoices.Length)]).ToList();
            var chunkCount = 1 + random.Next(3);
            var vectors = Enumerable.Range(0, chunkCount).Select(_ => TestData.RandomUnitVector(random)).ToList();
            documents.Add(TestData.Document(tenant, $"doc-{i}", acl, [.. Enumerable.Range(0, chunkCount).Select(c => $"random chunk {i} {c}")], embeddings: vectors));
        }

        await UpsertAsync([.. documents]);
        var readers = new[]
        {
            TestData.Reader(AclCorpus.Tenant, "alice", "eng"),
            TestData.Reader(AclCorpus.Tenant, "bob"),
            TestData.Reader(AclCorpus.Tenant, "carol", "hr", "ops"),
            TestData.Reader(AclCorpus.OtherTenant, "bob", "eng"),
        };

        for (var q = 0; q < 12; q++)
        {
            var query = TestData.RandomUnitVector(random);
            foreach (var reader in readers)
            {
                var expected = documents
                    .Where(d => reader.Allows(d.Document.Tenant, d.Document.Acl))
                    .SelectMany(d => d.Chunks)
                    .Select(c => (c.Id, Score: TestData.Dot(c.Embedding.ToArray(), query)))
                    .OrderByDescending(p => p.Score).ThenBy(p => p.Id, StringComparer.Ordinal)
                    .Take(10)
                    .ToList();

                var actual = await Vectors.SearchAsync(reader, query, 10, Ct);

                Assert.Equal(expected.Select(e => e.Id), actual.Select(a => a.ChunkId));
                for (var i = 0; i < expected.Count; i++)
                {
                    Assert.Equal(expected[i].Score, actual[i].Score, 4);
                }
            }
        }
    }

    [Fact]
    public async Task Search_PermittedRowsRankedBelowThousandForbiddenOnes_AreStillReturned()
    {
        var random = new Random(7);
        var query = TestData.RandomUnitVector(random);
        // 1,000 forbidden chunks almost identical to the query, 5 permitted ones far from it.
        var near = Enumerable.Range(0, 1000).Select(_ => Perturb(query, random, 0.05f)).ToList();
        var forbidden = TestData.Document(AclCorpus.Tenant, "hr-bulk", ["group:hr"], [.. near.Select((_, i) => $"hr chunk {i}")], embeddings: near);
        var far = Enumerable.Range(0, 5).Select(_ => Perturb(Negate(query), random, 0.5f)).ToList();
        var permitted = TestData.Document(AclCorpus.Tenant, "eng-few", ["group:eng"], [.. far.Select((_, i) => $"eng chunk {i}")], embeddings: far);
        await UpsertAsync(forbidden, permitted);

        var results = await Vectors.SearchAsync(TestData.Reader(AclCorpus.Tenant, "alice", "eng"), query, 3, Ct);

        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.Contains(r.ChunkId, permitted.ChunkIds));
        Assert.True(results[0].Score >= results[1].Score && results[1].Score >= results[2].Score);
    }

    [Fact]
    public async Task Search_CanaryDocumentsOwnEmbedding_ReturnsOnlyReadableChunks()
    {
        await AclCorpus.SeedAsync(Store);

        foreach (var (name, filter) in AclCorpus.Readers)
        {
            var readable = AclCorpus.ReadableChunkIds(filter);
            foreach (var document in AclCorpus.Documents)
            {
                var results = await Vectors.SearchAsync(filter, document.Chunks[0].Embedding, 50, Ct);

                Assert.All(results, r => Assert.True(readable.Contains(r.ChunkId), $"{name} got unreadable chunk {r.ChunkId}"));
                Assert.Equal(readable.Count, results.Count);
                if (AclCorpus.MayRead(filter, document))
                {
                    Assert.Equal(document.Chunks[0].Id, results[0].ChunkId);
                }
            }
        }
    }

    [Fact]
    public async Task Search_CallerWithNoReadableChunks_ReturnsEmpty()
    {
        await AclCorpus.SeedAsync(Store);

        var stranger = TestData.Reader("initech", "bob", "eng", "hr");

        Assert.Empty(await Vectors.SearchAsync(stranger, AclCorpus.Public.Chunks[0].Embedding, 10, Ct));
    }

    [Fact]
    public async Task Search_DeletedDocument_DisappearsAndReappearsWhenReingested()
    {
        var alice = TestData.Reader(AclCorpus.Tenant, "alice", "eng");
        await UpsertAsync(AclCorpus.Engineering, AclCorpus.Public);
        var query = AclCorpus.Engineering.Chunks[0].Embedding;
        Assert.Equal(AclCorpus.Engineering.Chunks[0].Id, (await Vectors.SearchAsync(alice, query, 1, Ct))[0].ChunkId);

        await Store.DeleteAsync(AclCorpus.Tenant, AclCorpus.Engineering.Document.Id, Ct);
        var afterDelete = await Vectors.SearchAsync(alice, query, 10, Ct);
        Assert.Equal(AclCorpus.Public.ChunkIds.Order(), afterDelete.Select(r => r.ChunkId).Order());

        await UpsertAsync(AclCorpus.Engineering);
        Assert.Equal(AclCorpus.Engineering.Chunks[0].Id, (await Vectors.SearchAsync(alice, query, 1, Ct))[0].ChunkId);
    }

    [Fact]
    public async Task Search_QueryWithOtherDimensions_ThrowsArgumentException()
    {
        await UpsertAsync(AclCorpus.Public);

        var query = new float[TestData.Dimensions + 1];
        query[0] = 1;

        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            Vectors.SearchAsync(TestData.Reader(AclCorpus.Tenant, "dave"), query, 5, Ct));
    }

    [Fact]
    public async Task Search_TopKZeroOrEmptyIndex_ReturnsEmpty()
    {
        var reader = TestData.Reader(AclCorpus.Tenant, "dave");
        Assert.Empty(await Vectors.SearchAsync(reader, TestData.Embed("anything"), 5, Ct));

        await UpsertAsync(AclCorpus.Public);

        Assert.Empty(await Vectors.SearchAsync(reader, TestData.Embed("anything"), 0, Ct));
        Assert.Equal(2, (await Vectors.SearchAsync(reader, TestData.Embed("anything"), 5, Ct)).Count);
    }

    private static float[] Perturb(float[] vector, Random random, float amount)
    {
        var noise = TestData.RandomUnitVector(random, vector.Length);
        return TestData.Normalize([.. vector.Select((value, i) => value + (amount * noise[i]))]);
    }

    private static float[] Negate(float[] vector) => [.. vector.Select(value => -value)];
}
