using System.ComponentModel.DataAnnotations;

namespace Retrieval.Core.Graph;

/// <summary>Configuration section <c>Retrieval:Graph:Global</c>: communities and their summaries (global graph retrieval).</summary>
public sealed class GlobalGraphOptions
{
    public const string Section = "Retrieval:Graph:Global";

    /// <summary>Communities a global search or ask uses (the most relevant first).</summary>
    [Range(1, 50)]
    public int Communities { get; set; } = 5;

    /// <summary>Entities a community needs to be listed (smaller ones are noise: a name seen once with one other).</summary>
    [Range(2, 1_000)]
    public int MinCommunitySize { get; set; } = 3;

    /// <summary>Modularity resolution γ of the Louvain community detection: above 1, more and smaller communities.</summary>
    [Range(0.05, 20.0)]
    public double Resolution { get; set; } = 1.0;

    /// <summary>Readable chunks a summary is written from (those that mention the community's central entities most).</summary>
    [Range(1, 20)]
    public int SourceChunks { get; set; } = 5;

    /// <summary>Sentences in an extractive summary (the LLM is asked for at most this many too).</summary>
    [Range(1, 10)]
    public int SummarySentences { get; set; } = 3;

    /// <summary>Summaries kept in memory, keyed by their exact inputs (source chunk ids and texts, generator, prompt version).</summary>
    [Range(0, 1_000_000)]
    public int SummaryCacheSize { get; set; } = 10_000;
}
