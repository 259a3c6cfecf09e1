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
