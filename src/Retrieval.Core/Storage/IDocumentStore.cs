using Retrieval.Core.Documents;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;

namespace Retrieval.Core.Storage;

/// <summary>Documents and their chunks (text, offsets, embeddings). One implementation per engine.</summary>
public interface IDocumentStore
{
    /// <summary>Creates the schema if needed. Idempotent.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>The document with this id in this tenant, whoever may read it (for ingestion only).</summary>
    Task<DocumentRecord?> FindAsync(string tenant, string id, CancellationToken cancellationToken);

    /// <summary>The document if it exists and <paramref name="filter"/> may read it; otherwise null (never distinguished).</summary>
    Task<DocumentRecord?> GetReadableAsync(AclFilter filter, string id, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically replaces the document and all its chunks (and anything derived from them) with the given ones.
    /// Readers see either the old version or the new one, never a mix.
    /// </summary>
    Task UpsertAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="UpsertAsync(DocumentRecord, IReadOnlyList{ChunkRecord}, CancellationToken)"/>, and replaces the
    /// document's knowledge-graph data (mentions and relations per chunk) in the same transaction, so an entity or relation
    /// is supported by exactly the chunks that exist. Stores that keep no graph ignore <paramref name="graph"/>.
    /// </summary>
    Task UpsertAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, DocumentGraph graph, CancellationToken cancellationToken) =>
        UpsertAsync(document, chunks, cancellationToken);

    /// <summary>Removes the document and everything derived from it. False when it did not exist.</summary>
    Task<bool> DeleteAsync(string tenant, string id, CancellationToken cancellationToken);

    /// <summary>The chunks with these ids that <paramref name="filter"/> may read, with their document's title; unreadable ids are silently absent.</summary>
    Task<IReadOnlyList<StoredChunk>> GetChunksAsync(AclFilter filter, IReadOnlyCollection<string> chunkIds, CancellationToken cancellationToken);

    /// <summary>Number of documents and chunks in the whole store (operators' statistics; never shown to readers).</summary>
    Task<StoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken);

    /// <summary>Ids of the embedding models whose vectors the store holds (normally one). Used to refuse a model switch.</summary>
    Task<IReadOnlyList<string>> GetEmbeddingModelsAsync(CancellationToken cancellationToken);

    /// <summary>Embeddings already stored for chunks with exactly this text and model, keyed by text hash (reuse on re-ingest).</summary>
    Task<IReadOnlyDictionary<string, float[]>> FindEmbeddingsAsync(string model, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken);
}

public sealed record StoredChunk(ChunkRecord Chunk, string Title, string Source);

public sealed record StoreStatistics(long Documents, long Chunks);
