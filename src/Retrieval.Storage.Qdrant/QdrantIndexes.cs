using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Qdrant;

/// <summary>
/// Dense search over the collection's <c>dense</c> vectors: int8-quantized HNSW, the best candidates rescored with the
/// original vectors, with the caller's tenant and ACL as a payload filter inside the search. Also answers dense and
/// lexical together in one round trip (<see cref="IHybridIndex"/>: Qdrant's batch query, one filter per search).
/// </summary>
public sealed class QdrantVectorIndex : IVectorIndex, IHybridIndex
{
    private readonly QdrantCollection collection;

    public QdrantVectorIndex(QdrantCollection collection, QdrantLexicalIndex lexical)
    {
        this.collection = collection ?? throw new ArgumentNullException(nameof(collection));
        Lexical = lexical ?? throw new ArgumentNullException(nameof(lexical));
    }

    public ILexicalIndex Lexical { get; }

    /// <summary>
    /// A filter without principals (<see cref="AclFilter.Nothing"/>, the start-up warm-up's) can read no point: answered
    /// here, empty, since <see cref="QdrantFilters.ForReader"/> refuses to send such a filter.
    /// </summary>
    internal static bool ReadsNothing(AclFilter filter) => filter.Principals.Count == 0;

    public async Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, ReadOnlyMemory<float> query, int topK, CancellationToken cancellationToken)
    {
        QdrantCollection.CheckFilter(filter);
        collection.CheckQueryVector(query);
        if (topK <= 0 || ReadsNothing(filter))
        {
            return [];
        }

        var results = await collection.QueryAsync([QdrantRequests.Dense(collection.Name, filter, query, topK, collection.Options)], cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    public async Task<HybridCandidates> SearchBothAsync(AclFilter filter, ReadOnlyMemory<float> vector, string query, int topK, CancellationToken cancellationToken)
    {
        QdrantCollection.CheckFilter(filter);
        collection.CheckQueryVector(vector);
        if (topK <= 0 || ReadsNothing(filter))
        {
            return new HybridCandidates([], []);
        }

        var sparse = QdrantRequests.Sparse(collection.Name, filter, query, topK);
        var dense = QdrantRequests.Dense(collection.Name, filter, vector, topK, collection.Options);
        var results = await collection.QueryAsync(sparse is null ? [dense] : [dense, sparse], cancellationToken).ConfigureAwait(false);
        return new HybridCandidates(results[0], sparse is null ? [] : results[1]);
    }
}

/// <summary>
/// BM25 keyword search over the collection's <c>bm25</c> sparse vectors (<see cref="Bm25SparseEncoder"/>; Qdrant applies
/// the IDF), with the caller's tenant and ACL as a payload filter inside the search. OR semantics: a chunk matching any
/// query term is a candidate, ranked by its BM25 score.
/// </summary>
public sealed class QdrantLexicalIndex : ILexicalIndex
{
    private readonly QdrantCollection collection;

    public QdrantLexicalIndex(QdrantCollection collection) =>
        this.collection = collection ?? throw new ArgumentNullException(nameof(collection));

    public async Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, string query, int topK, CancellationToken cancellationToken)
    {
        QdrantCollection.CheckFilter(filter);
        var request = topK > 0 && !QdrantVectorIndex.ReadsNothing(filter) ? QdrantRequests.Sparse(collection.Name, filter, query, topK) : null;
        if (request is null)
        {
            return [];
        }

        var results = await collection.QueryAsync([request], cancellationToken).ConfigureAwait(false);
        return results[0];
    }
}
