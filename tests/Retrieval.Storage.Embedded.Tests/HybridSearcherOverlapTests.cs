using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Retrieval.Core.Graph;
using Retrieval.Core.Options;
using Retrieval.Core.Query;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;
using Retrieval.Storage.Conformance;

namespace Retrieval.Storage.Embedded.Tests;

/// <summary>
/// Dense and BM25 retrieval of one search overlap although both complete synchronously (ONNX Runtime, SQLite): the
/// real SQLite indexes are wrapped so that each blocks its thread, as they do, until the other has started, for at most
/// <see cref="Bound"/>. Run one after the other, the first to start waits out the bound and the test fails.
/// </summary>
public sealed class HybridSearcherOverlapTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly Principal Alice = new(AclCorpus.Tenant, "alice", ["eng"], new HashSet<string>(StringComparer.Ordinal) { RetrievalRoles.Reader });
    private readonly TempDirectory directory = new();
    private EmbeddedDatabase database = null!;
    private SqliteDocumentStore store = null!;
    private SqliteVectorIndex vectors = null!;
    private SqliteLexicalIndex lexical = null!;

    public async Task InitializeAsync()
    {
        database = new EmbeddedDatabase(directory.DatabasePath);
        store = new SqliteDocumentStore(database, TestData.ModelId);
        vectors = new SqliteVectorIndex(database);
        lexical = new SqliteLexicalIndex(database);
        await store.InitializeAsync(CancellationToken.None);
        await AclCorpus.SeedAsync(store);
    }

    [Fact]
    public async Task Search_DenseAndLexicalBothBlocking_RunAtTheSameTimeWithSameResults()
    {
        var expected = await Searcher(vectors, lexical).SearchAsync(Alice, AclCorpus.CommonText, 10, RetrievalMode.Dense | RetrievalMode.Lexical, CancellationToken.None);
        var rendezvous = new Rendezvous();

        var actual = await Searcher(new BlockingVectors(vectors, rendezvous), new BlockingLexical(lexical, rendezvous))
            .SearchAsync(Alice, AclCorpus.CommonText, 10, RetrievalMode.Dense | RetrievalMode.Lexical, CancellationToken.None);

        Assert.True(rendezvous.DenseSawLexical, "The vector search ran without the BM25 search having started.");
        Assert.True(rendezvous.LexicalSawDense, "The BM25 search ran without the vector search having started.");
        Assert.NotEmpty(actual.Results);
        Assert.Equal(expected.Results.Select(Explain), actual.Results.Select(Explain));
        // Same keys in the same order (the JSON object's), although BM25 may now finish before the embedding.
        Assert.Equal(["embedMs", "denseMs", "lexicalMs", "fusionMs", "hydrateMs", "totalMs"], actual.Timings.Keys);
        Assert.Equal(expected.Timings.Keys, actual.Timings.Keys);
    }

    [Fact]
    public async Task Search_VectorSearchFails_ThrowsItsErrorAfterTheLexicalSearchHasEnded()
    {
        var failing = new FailingVectors();
        var counted = new CountingLexical(lexical);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Searcher(failing, counted).SearchAsync(Alice, AclCorpus.CommonText, 10, RetrievalMode.Dense | RetrievalMode.Lexical, CancellationToken.None));

        Assert.Equal(FailingVectors.Message, error.Message);
        // Joined, not left running (or still queued) after the request: it ran once and had finished.
        Assert.Equal(1, counted.Calls);
        Assert.Equal(1, counted.Finished);
    }

    [Fact]
    public async Task Search_LexicalSearchFails_ThrowsItsError()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Searcher(vectors, new FailingLexical()).SearchAsync(Alice, AclCorpus.CommonText, 10, RetrievalMode.Dense | RetrievalMode.Lexical, CancellationToken.None));

        Assert.Equal(FailingLexical.Message, error.Message);
    }

    private static string Explain(SearchHit hit) =>
        hit.ChunkId + " " + hit.Score.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " " +
        string.Join(",", hit.Scores.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s =>
            $"{s.Key}#{s.Value.Rank}={s.Value.Score.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}"));

    private HybridSearcher Searcher(IVectorIndex vectorIndex, ILexicalIndex lexicalIndex) => TestSearchers.WithoutGraph(vectorIndex, lexicalIndex, store);

    public Task DisposeAsync()
    {
        vectors.Dispose();
        database.Dispose();
        directory.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Each side signals that it started, then blocks its thread until the other side has started too (bounded).</summary>
    private sealed class Rendezvous
    {
        private readonly ManualResetEventSlim dense = new();
        private readonly ManualResetEventSlim lexical = new();

        public bool DenseSawLexical { get; private set; }

        public bool LexicalSawDense { get; private set; }

        public void DenseStarted()
        {
            dense.Set();
            DenseSawLexical = lexical.Wait(Bound);
        }

        public void LexicalStarted()
        {
            lexical.Set();
            LexicalSawDense = dense.Wait(Bound);
        }
    }

    /// <summary>Synchronous, like the SQLite index it wraps: the wait happens before a task is returned.</summary>
    private sealed class BlockingVectors(IVectorIndex inner, Rendezvous rendezvous) : IVectorIndex
    {
        public Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, ReadOnlyMemory<float> query, int topK, CancellationToken cancellationToken)
        {
            rendezvous.DenseStarted();
            return inner.SearchAsync(filter, query, topK, cancellationToken);
        }
    }

    private sealed class BlockingLexical(ILexicalIndex inner, Rendezvous rendezvous) : ILexicalIndex
    {
        public Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, string query, int topK, CancellationToken cancellationToken)
        {
            rendezvous.LexicalStarted();
            return inner.SearchAsync(filter, query, topK, cancellationToken);
        }
    }

    private sealed class FailingVectors : IVectorIndex
    {
        public const string Message = "vector index down";

        public Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, ReadOnlyMemory<float> query, int topK, CancellationToken cancellationToken) =>
            Task.FromException<IReadOnlyList<ScoredChunk>>(new InvalidOperationException(Message));
    }

    private sealed class FailingLexical : ILexicalIndex
    {
        public const string Message = "lexical index down";

        public Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, string query, int topK, CancellationToken cancellationToken) =>
            Task.FromException<IReadOnlyList<ScoredChunk>>(new InvalidOperationException(Message));
    }

    private sealed class CountingLexical(ILexicalIndex inner) : ILexicalIndex
    {
        private int calls;
        private int finished;

        public int Calls => Volatile.Read(ref calls);

        public int Finished => Volatile.Read(ref finished);

        public async Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, string query, int topK, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref calls);
            // Long enough that a search which did not wait for it would return first.
            await Task.Delay(200, cancellationToken);
            var results = await inner.SearchAsync(filter, query, topK, cancellationToken);
            Interlocked.Increment(ref finished);
            return results;
        }
    }

    /// <summary>The conformance corpus's deterministic embedding, as an embedding generator.</summary>
}
