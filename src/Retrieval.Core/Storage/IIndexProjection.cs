using Retrieval.Core.Documents;
using Retrieval.Core.Graph;

namespace Retrieval.Core.Storage;

/// <summary>
/// An index kept in another engine (Qdrant's vectors, Neo4j's graph) that follows the document store, which stays the
/// source of truth. The store commits first, then every projection receives the new version (see
/// <see cref="ProjectingDocumentStore"/>). A projection that failed is repaired by the next ingestion of the document:
/// <see cref="IsCurrentAsync"/> is false, so the ingestor writes it again instead of skipping it as unchanged.
/// Readers must not trust a projection for permissions alone: results are hydrated through the document store, which
/// applies the caller's ACL again, so a stale projection can hide a chunk for a while but never show one.
/// </summary>
public interface IIndexProjection
{
    /// <summary>Short name for logs and metrics (<c>qdrant</c>, <c>neo4j</c>).</summary>
    string Name { get; }

    /// <summary>True only when a <see cref="ProjectAsync"/> of exactly this document version completed.</summary>
    Task<bool> IsCurrentAsync(DocumentRecord document, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces everything this projection holds for the document with these chunks (and graph, when one was extracted).
    /// Idempotent: running it twice, or after a crash half-way through, leaves the same state as running it once.
    /// </summary>
    Task ProjectAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, DocumentGraph? graph, CancellationToken cancellationToken);

    /// <summary>Removes everything held for the document. Idempotent: no error when nothing is held.</summary>
    Task RemoveAsync(string tenant, string documentId, CancellationToken cancellationToken);
}
