namespace Retrieval.Core.Query;

/// <summary>A retrieved chunk with its fused score and each retriever's own score and rank (for explanation).</summary>
public sealed record SearchHit(
    string ChunkId,
    string DocumentId,
    string Title,
    string Source,
    string SectionPath,
    string Text,
    int StartOffset,
    int EndOffset,
    double Score,
    IReadOnlyDictionary<string, RetrieverScore> Scores);

public sealed record SearchResult(IReadOnlyList<SearchHit> Results, IReadOnlyDictionary<string, double> Timings)
{
    /// <summary>The query embedding, when a dense retriever ran (the answerer reuses it).</summary>
    public ReadOnlyMemory<float> QueryEmbedding { get; init; }
}
