using System.ComponentModel.DataAnnotations;

namespace Retrieval.Core.Graph;

/// <summary>Configuration section <c>Retrieval:Graph</c>: knowledge-graph extraction and graph retrieval.</summary>
public sealed class GraphOptions
{
    public const string Section = "Retrieval:Graph";

    public const string FastExtraction = "fast";
    public const string NoExtraction = "none";

    /// <summary><c>fast</c> (rule-based, no LLM; the default) or <c>none</c> (no graph is built).</summary>
    [RegularExpression("^(fast|none)$", ErrorMessage = "Extraction must be 'fast' or 'none'.")]
    public string Extraction { get; set; } = FastExtraction;

    /// <summary>Probability that the personalized PageRank walk follows an edge rather than restarting at a seed (HippoRAG: 0.5).</summary>
    [Range(0.05, 0.95)]
    public double Damping { get; set; } = 0.5;

    /// <summary>Entity → chunk steps the subgraph extends from the seed entities.</summary>
    [Range(1, 4)]
    public int Hops { get; set; } = 2;

    /// <summary>Chunks followed from one entity while building the subgraph (its most frequent mentions).</summary>
    [Range(1, 10_000)]
    public int MaxChunksPerEntity { get; set; } = 40;

    /// <summary>Chunks in the subgraph at most (bounds latency on large corpora).</summary>
    [Range(1, 100_000)]
    public int MaxChunks { get; set; } = 3_000;

    /// <summary>Query entities used as seeds at most (the most specific ones).</summary>
    [Range(1, 256)]
    public int MaxSeedEntities { get; set; } = 16;

    /// <summary>
    /// Share of the restart mass given to the chunks the other retrievers of the same search ranked first (HippoRAG 2's
    /// passage seeds); 0 seeds from query entities only. Ignored when the graph runs alone.
    /// </summary>
    [Range(0.0, 1.0)]
    public double PassageSeedShare { get; set; }

    /// <summary>Top chunks of the other retrievers used as passage seeds.</summary>
    [Range(1, 1_000)]
    public int PassageSeeds { get; set; } = 10;

    /// <summary>
    /// How passage seeds share their restart mass: 0 in proportion to 1/rank; above 0 a softmax of the dense similarity
    /// with this temperature (HippoRAG 2 weights passage nodes by their dense score).
    /// </summary>
    [Range(0.0, 10.0)]
    public double PassageSeedTemperature { get; set; }

    /// <summary>
    /// In a query that uses capitals, link only spans that look like names (<see cref="QueryLinker.Spans"/>): a lower-case
    /// phrase matching an entity name is a common noun there. Off: every n-gram links regardless of case.
    /// </summary>
    public bool NameLinking { get; set; }

    /// <summary>
    /// Query entities mentioned in more readable chunks than this are not seeds (too generic to point anywhere); 0: no limit.
    /// A query with no seed left gets no graph list at all, so it is ranked as by the other retrievers alone.
    /// </summary>
    [Range(0, 10_000_000)]
    public int MaxSeedEntityChunks { get; set; }

    /// <summary>
    /// Entities linked by name-embedding similarity to the query, at most: candidates are the entities of the other
    /// retrievers' top chunks (<see cref="PassageSeeds"/>, readable by construction); 0 links by exact names and aliases only.
    /// </summary>
    [Range(0, 256)]
    public int EmbeddingLinks { get; set; }

    /// <summary>Cosine similarity between the query and an entity name needed to link it by embedding.</summary>
    [Range(-1.0, 1.0)]
    public double EmbeddingLinkThreshold { get; set; } = 0.5;

    /// <summary>
    /// Embedded store: expand subgraphs over a shared in-memory copy of the mention table, reloaded in the background after
    /// writes (reads in SQL until a copy matching the store exists). Off: every subgraph is read in SQL, no copy is kept.
    /// </summary>
    public bool InMemorySubgraph { get; set; } = true;

    /// <summary>Embedded store: above this many mentions the in-memory copy is not kept and subgraphs are read in SQL.</summary>
    [Range(1, int.MaxValue)]
    public int InMemorySubgraphMaxMentions { get; set; } = 10_000_000;
}
