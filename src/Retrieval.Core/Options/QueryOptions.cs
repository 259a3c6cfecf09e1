using System.ComponentModel.DataAnnotations;

namespace Retrieval.Core.Options;

/// <summary>Configuration section <c>Retrieval:Query</c>.</summary>
public sealed class QueryOptions
{
    public const string Section = "Retrieval:Query";

    [Range(1, 100_000)]
    public int MaxQueryLength { get; set; } = 2_000;

    [Range(1, 1_000)]
    public int DefaultTopK { get; set; } = 10;

    [Range(1, 1_000)]
    public int MaxTopK { get; set; } = 100;

    /// <summary>Candidates each retriever contributes to fusion (at least topK).</summary>
    [Range(1, 10_000)]
    public int CandidatesPerRetriever { get; set; } = 50;

    /// <summary>Reciprocal rank fusion constant k (Cormack et al. use 60).</summary>
    [Range(1, 1_000)]
    public int RrfK { get; set; } = 60;

    /// <summary>Fusion weight of the dense retriever.</summary>
    [Range(0.0, 100.0)]
    public double DenseWeight { get; set; } = 1.0;

    /// <summary>Fusion weight of the BM25 retriever.</summary>
    [Range(0.0, 100.0)]
    public double LexicalWeight { get; set; } = 1.0;

    /// <summary>
    /// Fusion weight of the graph retriever (personalized PageRank over the entity–chunk graph). 0.3 was chosen on the
    /// MuSiQue and SciFact training data (docs/graphrag.md): higher helps multi-hop questions more and costs single-hop more.
    /// </summary>
    [Range(0.0, 100.0)]
    public double GraphWeight { get; set; } = 0.3;

    /// <summary>Sentences the extractive answerer may use.</summary>
    [Range(1, 20)]
    public int AnswerSentences { get; set; } = 3;
}
