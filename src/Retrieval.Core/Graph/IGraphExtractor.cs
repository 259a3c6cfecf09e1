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
/// tenant's rows whose chunk text no chunk of the tenant still holds, so no model output outlives its text.
/// </summary>
public interface IGraphExtractionCache
{
    Task<IReadOnlyDictionary<string, string>> GetAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken);

    /// <summary>Stores (or replaces) <paramref name="entries"/> of <paramref name="tenant"/>.</summary>
    Task PutAsync(string tenant, IReadOnlyCollection<GraphExtractionCacheEntry> entries, CancellationToken cancellationToken);
}

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
}
