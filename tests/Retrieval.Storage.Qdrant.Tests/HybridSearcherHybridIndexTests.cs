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
using Retrieval.Storage.Embedded;

namespace Retrieval.Storage.Qdrant.Tests;

/// <summary>
/// The query pipeline uses an index's <see cref="IHybridIndex"/> capability (Qdrant's one-round-trip dense + lexical)
/// exactly when both retrievers run and the capability answers for the registered lexical index, and the fused result
/// is the same as with two separate calls. Runs on the embedded store (real SQLite indexes) wrapped to count calls.
/// </summary>
public sealed class HybridSearcherHybridIndexTests : IAsyncLifetime
{
    private static readonly Principal Alice = new(AclCorpus.Tenant, "alice", ["eng"], new HashSet<string>(StringComparer.Ordinal) { RetrievalRoles.Reader });
    private readonly string directory = Path.Combine(Path.GetTempPath(), "retrieval-qdrant-tests", Guid.NewGuid().ToString("N"));
    private EmbeddedDatabase database = null!;
    private SqliteDocumentStore store = null!;
    private SqliteVectorIndex vectors = null!;
    private SqliteLexicalIndex lexical = null!;

    public async Task InitializeAsync()
    {
        database = new EmbeddedDatabase(Path.Combine(directory, "data", "retrieval.db"));
        store = new SqliteDocumentStore(database, TestData.ModelId);
        vectors = new SqliteVectorIndex(database);
        lexical = new SqliteLexicalIndex(database);
        await store.InitializeAsync(CancellationToken.None);
        await AclCorpus.SeedAsync(store);
    }

    [Fact]
    public async Task Search_DenseAndLexicalWithHybridIndex_MakesOneCombinedCallWithSameResults()
    {
        var combined = new CountingHybridIndex(vectors, lexical);
        var expected = await Searcher(vectors, lexical).SearchAsync(Alice, AclCorpus.CommonText, 10, RetrievalMode.Dense | RetrievalMode.Lexical, CancellationToken.None);

        var actual = await Searcher(combined, lexical).SearchAsync(Alice, AclCorpus.CommonText, 10, RetrievalMode.Dense | RetrievalMode.Lexical, CancellationToken.None);

        Assert.Equal(1, combined.CombinedCalls);
        Assert.Equal(0, combined.DenseCalls);
        Assert.Equal(AclCorpus.Tenant, combined.LastFilter!.Tenant);
        Assert.Equal(Alice.ToAclFilter().Principals, combined.LastFilter.Principals);
        Assert.NotEmpty(actual.Results);
        Assert.Equal(expected.Results.Select(Explain), actual.Results.Select(Explain));
    }

    [Fact]
    public async Task Search_HybridIndexForAnotherLexicalIndex_CallsTheRetrieversSeparately()
    {
        var combined = new CountingHybridIndex(vectors, new SqliteLexicalIndex(database));

        await Searcher(combined, lexical).SearchAsync(Alice, AclCorpus.CommonText, 10, RetrievalMode.Dense | RetrievalMode.Lexical, CancellationToken.None);

        Assert.Equal(0, combined.CombinedCalls);
        Assert.Equal(1, combined.DenseCalls);
    }

    [Fact]
    public async Task Search_DenseOnly_DoesNotUseTheCombinedCall()
    {
        var combined = new CountingHybridIndex(vectors, lexical);

        await Searcher(combined, lexical).SearchAsync(Alice, AclCorpus.CommonText, 10, RetrievalMode.Dense, CancellationToken.None);

        Assert.Equal(0, combined.CombinedCalls);
        Assert.Equal(1, combined.DenseCalls);
    }

    private static string Explain(SearchHit hit) =>
        hit.ChunkId + " " + hit.Score.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " " +
        string.Join(",", hit.Scores.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}#{s.Value.Rank}"));

    private HybridSearcher Searcher(IVectorIndex vectorIndex, ILexicalIndex lexicalIndex) => TestSearchers.WithoutGraph(vectorIndex, lexicalIndex, store);

    public Task DisposeAsync()
    {
        vectors.Dispose();
        database.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }

        return Task.CompletedTask;
    }

    /// <summary>The conformance corpus's deterministic embedding, as an embedding generator.</summary>

    private sealed class CountingHybridIndex(IVectorIndex dense, ILexicalIndex lexical) : IVectorIndex, IHybridIndex
    {
        public int DenseCalls { get; private set; }

        public int CombinedCalls { get; private set; }

        public AclFilter? LastFilter { get; private set; }

        public ILexicalIndex Lexical => lexical;

        public Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, ReadOnlyMemory<float> query, int topK, CancellationToken cancellationToken)
        {
            DenseCalls++;
            return dense.SearchAsync(filter, query, topK, cancellationToken);
        }

        public async Task<HybridCandidates> SearchBothAsync(AclFilter filter, ReadOnlyMemory<float> vector, string query, int topK, CancellationToken cancellationToken)
        {
            CombinedCalls++;
            LastFilter = filter;
            return new HybridCandidates(
                await dense.SearchAsync(filter, vector, topK, cancellationToken),
                await lexical.SearchAsync(filter, query, topK, cancellationToken));
        }
    }
}
