using Retrieval.Core.Graph;

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
    IReadOnlyDictionary<string, RetrieverScore> Scores)
{
    /// <summary>When the graph retriever ranked this chunk: the entities (and bridges from query entities) that led to it.</summary>
    public GraphExplanation? Graph { get; init; }
}

public sealed record SearchResult(IReadOnlyList<SearchHit> Results, IReadOnlyDictionary<string, double> Timings)
{
    /// <summary>The query embedding, when a dense retriever ran (the answerer reuses it).</summary>
    public ReadOnlyMemory<float> QueryEmbedding { get; init; }

    /// <summary>Global mode only: the caller's communities the hits come from, with their summaries.</summary>
    public IReadOnlyList<GraphCommunity>? Communities { get; init; }
}
