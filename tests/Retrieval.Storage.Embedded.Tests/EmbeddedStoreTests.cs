using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Jobs;
using Retrieval.Core.Options;
using Retrieval.Core.Storage;
using Retrieval.Storage.Conformance;

namespace Retrieval.Storage.Embedded.Tests;

/// <summary>Behaviour specific to the embedded engine, beyond the conformance suites.</summary>
public sealed class EmbeddedStoreTests : IDisposable
{
    private readonly TempDirectory directory = new();
    private readonly EmbeddedDatabase database;

    public EmbeddedStoreTests()
    {
        database = new EmbeddedDatabase(directory.DatabasePath);
    }

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose()
    {
        database.Dispose();
        directory.Dispose();
    }

    [Fact]
    public async Task VectorIndex_WritesThroughAnotherDatabaseInstance_AreSeenByTheNextSearch()
    {
        // Two instances over one file behave like two processes (API and worker): no in-process notification.
        using var writerDatabase = new EmbeddedDatabase(directory.DatabasePath);
        var writer = new SqliteDocumentStore(writerDatabase, TestData.ModelId);
        using var index = new SqliteVectorIndex(database);
        var dave = TestData.Reader(AclCorpus.Tenant, "dave");
        await writer.UpsertAsync(AclCorpus.Public.Document, AclCorpus.Public.Chunks, Ct);
        Assert.Equal(2, (await index.SearchAsync(dave, AclCorpus.Public.Chunks[0].Embedding, 10, Ct)).Count);

        var another = TestData.Document(AclCorpus.Tenant, "another", ["public"], ["fresh words"]);
        await writer.UpsertAsync(another.Document, another.Chunks, Ct);
        Assert.Equal(another.Chunks[0].Id, (await index.SearchAsync(dave, another.Chunks[0].Embedding, 1, Ct))[0].ChunkId);

        await writer.DeleteAsync(AclCorpus.Tenant, AclCorpus.Public.Document.Id, Ct);
        Assert.Equal(another.ChunkIds, (await index.SearchAsync(dave, AclCorpus.Public.Chunks[0].Embedding, 10, Ct)).Select(r => r.ChunkId));
    }

    [Fact]
    public async Task VectorIndex_AfterDeletingMostRows_CompactsAndStaysExact()
    {
        var store = new SqliteDocumentStore(database, TestData.ModelId);
        using var index = new SqliteVectorIndex(database);
        var random = new Random(3);
        var bulkVectors = Enumerable.Range(0, 3000).Select(_ => TestData.RandomUnitVector(random)).ToList();
        var bulk = TestData.Document("t", "bulk", ["public"], [.. bulkVectors.Select((_, i) => $"bulk {i}")], embeddings: bulkVectors);
        var smallVectors = Enumerable.Range(0, 20).Select(_ => TestData.RandomUnitVector(random)).ToList();
        var small = TestData.Document("t", "small", ["public"], [.. smallVectors.Select((_, i) => $"small {i}")], embeddings: smallVectors);
        var reader = TestData.Reader("t", "dave");
        await store.UpsertAsync(bulk.Document, bulk.Chunks, Ct);
        await store.UpsertAsync(small.Document, small.Chunks, Ct);
        var query = TestData.RandomUnitVector(random);
        Assert.Equal(5, (await index.SearchAsync(reader, query, 5, Ct)).Count);

        await store.DeleteAsync("t", "bulk", Ct);
        var late = TestData.Document("t", "late", ["public"], ["late"], embeddings: [query]);
        await store.UpsertAsync(late.Document, late.Chunks, Ct);

        var results = await index.SearchAsync(reader, query, 25, Ct);
        var expected = small.Chunks.Concat(late.Chunks)
            .OrderByDescending(c => TestData.Dot(c.Embedding.ToArray(), query)).Select(c => c.Id).Take(25);
        Assert.Equal(expected, results.Select(r => r.ChunkId));
        Assert.Equal(21, index.LiveRows);
    }

    [Fact]
    public async Task Upsert_EmbeddingsOfAnotherDimensionality_Rejected()
    {
        var store = new SqliteDocumentStore(database, TestData.ModelId);
        await store.UpsertAsync(AclCorpus.Public.Document, AclCorpus.Public.Chunks, Ct);
        var wide = TestData.Document(AclCorpus.Tenant, "wide", ["public"], ["wide"], embeddings: [TestData.Normalize(new float[TestData.Dimensions * 2])]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.UpsertAsync(wide.Document, wide.Chunks, Ct));
        Assert.Null(await store.FindAsync(AclCorpus.Tenant, "wide", Ct));
    }

    [Fact]
    public async Task Upsert_ChunkOfAnotherDocument_RejectedAndNothingWritten()
    {
        var store = new SqliteDocumentStore(database, TestData.ModelId);
        var document = AclCorpus.Public;
        var stray = AclCorpus.Engineering.Chunks[0];

        await Assert.ThrowsAsync<ArgumentException>(() => store.UpsertAsync(document.Document, [.. document.Chunks, stray], Ct));
        Assert.Null(await store.FindAsync(AclCorpus.Tenant, document.Document.Id, Ct));
    }

    [Fact]
    public async Task FindEmbeddings_TaggedWithTheConfiguredModelId()
    {
        var store = new SqliteDocumentStore(database, () => "arctic-xs");
        await store.UpsertAsync(AclCorpus.Public.Document, AclCorpus.Public.Chunks, Ct);
        var hashes = AclCorpus.Public.Chunks.Select(c => Core.Documents.ChunkId.ContentHash(c.Text)).ToList();

        Assert.Equal(2, (await store.FindEmbeddingsAsync("arctic-xs", hashes, Ct)).Count);
        Assert.Empty(await store.FindEmbeddingsAsync(TestData.ModelId, hashes, Ct));
    }

    [Fact]
    public async Task ConcurrentReadersAndWriters_DoNotThrow()
    {
        var store = new SqliteDocumentStore(database, TestData.ModelId);
        using var vectors = new SqliteVectorIndex(database);
        var lexical = new SqliteLexicalIndex(database);
        // 60 jobs in one tenant: the per-tenant active-job cap (default 50) is not what this test is about.
        var queue = new SqliteJobQueue(database, TimeProvider.System, new JobQueueOptions { MaxActivePerTenant = 0 });
        var reader = TestData.Reader(AclCorpus.Tenant, "erin", "eng", "hr");
        await AclCorpus.SeedAsync(store);

        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++)
            {
                var document = TestData.Document(AclCorpus.Tenant, $"w{w}-{i % 5}", [i % 2 == 0 ? "group:eng" : "group:ops"], [$"concurrent text {i}", "more concurrent words"], version: i + 1);
                await store.UpsertAsync(document.Document, document.Chunks, Ct);
                if (i % 7 == 0)
                {
                    await store.DeleteAsync(AclCorpus.Tenant, $"w{w}-{(i + 1) % 5}", Ct);
                }

                await queue.EnqueueAsync(new JobSubmission("t", "w", ["public"], [new JobItem("x", "/x", null, null)], new Dictionary<string, string>()), Ct);
            }
        }));
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                await vectors.SearchAsync(reader, TestData.Embed("concurrent text"), 10, Ct);
                await lexical.SearchAsync(reader, "concurrent words", 10, Ct);
                await store.GetStatisticsAsync(Ct);
                await queue.ClaimAsync("reader-worker", TimeSpan.FromMinutes(1), Ct);
            }
        }));

        await Task.WhenAll(writers.Concat(readers));
        Assert.True((await lexical.SearchAsync(reader, "concurrent", 100, Ct)).Count > 0);
    }

    [Fact]
    public void LexicalQuery_UserText_BecomesQuotedOrTermsWithoutStopwords()
    {
        Assert.Equal(33, Retrieval.Core.Query.LexicalTerms.Stopwords.Count);
        Assert.Equal("\"walrus\" OR \"near\" OR \"b\"", LexicalQuery.ToMatchExpression("The walrus NEAR( a:b \"walrus"));
        Assert.Equal("\"naïve\" OR \"café\"", LexicalQuery.ToMatchExpression("Naïve CAFÉ"));
        Assert.Null(LexicalQuery.ToMatchExpression("AND OR NOT * ^ -"));
    }

    [Fact]
    public void AddEmbeddedStorage_RegistersEachImplementationOnceAsSingleton()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IOptions<StorageOptions>>(Options.Create(new StorageOptions { DataDirectory = Path.Combine(directory.Path, "di") }));
        services.AddSingleton<IEmbeddingModelInfo>(new FakeModelInfo());
        services.AddEmbeddedStorage();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<SqliteDocumentStore>(provider.GetRequiredService<IDocumentStore>());
        Assert.Same(provider.GetRequiredService<IVectorIndex>(), provider.GetRequiredService<SqliteVectorIndex>());
        Assert.IsType<SqliteLexicalIndex>(provider.GetRequiredService<ILexicalIndex>());
        Assert.Same(provider.GetRequiredService<IJobQueue>(), provider.GetRequiredService<IJobQueue>());
        Assert.Equal(Path.Combine(directory.Path, "di", "retrieval.db"), provider.GetRequiredService<EmbeddedDatabase>().DatabasePath);
    }

    [Fact]
    public async Task AddEmbeddedStorage_StoresEmbeddingsUnderTheRegisteredModelId()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IOptions<StorageOptions>>(Options.Create(new StorageOptions { DataDirectory = Path.Combine(directory.Path, "di2") }));
        services.AddSingleton<IEmbeddingModelInfo>(new FakeModelInfo());
        using var provider = services.AddEmbeddedStorage().BuildServiceProvider();
        var store = provider.GetRequiredService<IDocumentStore>();

        await store.UpsertAsync(AclCorpus.Public.Document, AclCorpus.Public.Chunks, Ct);

        var hash = Core.Documents.ChunkId.ContentHash(AclCorpus.Public.Chunks[0].Text);
        Assert.Single(await store.FindEmbeddingsAsync("fake-model", [hash], Ct));
        provider.GetRequiredService<EmbeddedDatabase>().Dispose();
    }

    private sealed class FakeModelInfo : IEmbeddingModelInfo
    {
        public string ModelId => "fake-model";

        public int Dimensions => TestData.Dimensions;

        public int MaxTokens => 512;

        public string ExecutionProvider => "CPU";
    }
}
