using Retrieval.Core.Documents;

namespace Retrieval.Core.Graph;

/// <summary>
/// Builds the knowledge graph of one document from its chunks (<c>Retrieval:Graph:Extraction</c> picks one by
/// <see cref="Mode"/>). Whatever it extracts is keyed by chunk, so the store keeps every entity and relation supported by
/// chunks and ACL filtering works the same for every extractor.
/// </summary>
public interface IGraphExtractor
{
    /// <summary>The <c>Retrieval:Graph:Extraction</c> value this extractor serves (<c>fast</c>, <c>llm</c>).</summary>
    string Mode { get; }

    /// <summary>
    /// Name and version the stored graph is marked with when this extractor built all of it; a document whose stored mark
    /// differs is re-extracted on its next ingest even when its text is unchanged.
    /// </summary>
    string Name { get; }

    Task<DocumentGraph> ExtractAsync(string tenant, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken);

    /// <summary>Tokens one chunk of <paramref name="chunkTokens"/> tokens costs at most (0, 0 for an extractor without a model).</summary>
    GraphTokenCost CostPerChunk(int chunkTokens) => default;

    /// <summary>
    /// Called when the ingest of <paramref name="chunks"/> failed after <see cref="ExtractAsync"/> began, so that nothing
    /// the extractor kept about their text (the LLM extractor's cache) outlives it unless a stored chunk holds that text.
    /// </summary>
    Task DiscardAsync(string tenant, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Prompt and completion tokens.</summary>
public readonly record struct GraphTokenCost(long Prompt, long Completion)
{
    public long Total => Prompt + Completion;
}

/// <summary>The rule-based extractor (<see cref="FastGraphExtractor"/>) behind the <see cref="IGraphExtractor"/> seam.</summary>
public sealed class FastGraphExtractorService : IGraphExtractor
{
    public string Mode => GraphOptions.FastExtraction;

    public string Name => FastGraphExtractor.Name;

    public Task<DocumentGraph> ExtractAsync(string tenant, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        return Task.FromResult(FastGraphExtractor.Extract(chunks.Select(c => (c.Id, c.Text)).ToList(), cancellationToken));
    }
}

/// <summary>
/// Extraction results kept across ingests, keyed by a hash of what produced them (tenant, chunk text, model, prompt
/// version), so re-ingesting unchanged text makes no LLM call. Stored by the document store (SQLite, PostgreSQL), each
/// row with its tenant and chunk text hash: deleting or replacing a document deletes, in the same transaction, the
/// tenant's rows whose chunk text no chunk of the tenant still holds, so no model output outlives its text. Rows written
/// for a document whose ingest then failed (its text never stored) go with <see cref="PurgeUnheldAsync"/> right after the
/// failure, or with the orphan sweep (<see cref="PurgeOrphansAsync"/>, <see cref="GraphExtractionCacheSweeper"/>).
/// </summary>
public interface IGraphExtractionCache
{
    Task<IReadOnlyDictionary<string, string>> GetAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);

    /// <summary>Stores (or replaces) <paramref name="entries"/> of <paramref name="tenant"/>.</summary>
    Task PutAsync(string tenant, IReadOnlyCollection<GraphExtractionCacheEntry> entries, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes, now and whatever their age, the rows of <paramref name="tenant"/> for <paramref name="chunkHashes"/> that no
    /// chunk of the tenant holds (a failed ingest's rows). Returns the number of rows deleted.
    /// </summary>
    Task<int> PurgeUnheldAsync(string tenant, IReadOnlyCollection<string> chunkHashes, CancellationToken cancellationToken);

    /// <summary>
    /// One batch of the orphan sweep: walking the rows in key order after <paramref name="afterKey"/> (empty: from the
    /// start), deletes at most <paramref name="limit"/> rows written at least <paramref name="minimumAge"/> ago (by the
    /// store's clock) whose text no chunk of their tenant holds, in one short write transaction.
    /// </summary>
    Task<GraphExtractionCachePurge> PurgeOrphansAsync(TimeSpan minimumAge, string afterKey, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// What one <see cref="IGraphExtractionCache.PurgeOrphansAsync"/> batch did: rows deleted, and the key to continue after
/// (null when the walk reached the end of the table).
/// </summary>
public sealed record GraphExtractionCachePurge(int Deleted, string? NextKey);

/// <summary>
/// One cached extraction: its <see cref="Key"/>, the <see cref="ChunkId.ContentHash"/> of the chunk text it came from
/// (what ties the row to the documents holding that text) and the serialized result.
/// </summary>
public sealed record GraphExtractionCacheEntry(string Key, string ChunkHash, string Value);

/// <summary>For stores that keep no cache: every lookup misses.</summary>
public sealed class NoGraphExtractionCache : IGraphExtractionCache
{
    public Task<IReadOnlyDictionary<string, string>> GetAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>(StringComparer.Ordinal));

    public Task PutAsync(string tenant, IReadOnlyCollection<GraphExtractionCacheEntry> entries, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<int> PurgeUnheldAsync(string tenant, IReadOnlyCollection<string> chunkHashes, CancellationToken cancellationToken) => Task.FromResult(0);

    public Task<GraphExtractionCachePurge> PurgeOrphansAsync(TimeSpan minimumAge, string afterKey, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(new GraphExtractionCachePurge(0, null));
}
