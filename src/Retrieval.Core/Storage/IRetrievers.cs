using Retrieval.Core.Security;

namespace Retrieval.Core.Storage;

/// <summary>A chunk id with the retriever's own score (higher is better).</summary>
public readonly record struct ScoredChunk(string ChunkId, double Score);

/// <summary>Dense nearest-neighbour search. The ACL filter is applied before scoring, inside the search.</summary>
public interface IVectorIndex
{
    Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, ReadOnlyMemory<float> query, int topK, CancellationToken cancellationToken);
}

/// <summary>BM25 keyword search. The ACL filter is part of the query, not a post-filter.</summary>
public interface ILexicalIndex
{
    Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, string query, int topK, CancellationToken cancellationToken);
}

/// <summary>Dense and lexical candidates of one query, each ranked by its own retriever.</summary>
public sealed record HybridCandidates(IReadOnlyList<ScoredChunk> Dense, IReadOnlyList<ScoredChunk> Lexical);

/// <summary>
/// Optional capability of an <see cref="IVectorIndex"/> whose engine also holds the lexical index (Qdrant's dense and
/// sparse vectors): both searches in one round trip, each with the ACL filter inside it. The lists come back separately,
/// so fusion (weighted RRF), per-retriever explanations and graph seeding stay in the query pipeline and behave as with
/// two separate calls.
/// </summary>
public interface IHybridIndex
{
    /// <summary>The lexical index whose results <see cref="SearchBothAsync"/> returns; the searcher uses the combined call only when it is the registered one.</summary>
    ILexicalIndex Lexical { get; }

    Task<HybridCandidates> SearchBothAsync(AclFilter filter, ReadOnlyMemory<float> vector, string query, int topK, CancellationToken cancellationToken);
}
