using System.ComponentModel.DataAnnotations;

namespace Retrieval.Core.Graph;

/// <summary>Configuration section <c>Retrieval:Graph</c>: knowledge-graph extraction and graph retrieval.</summary>
public sealed class GraphOptions
{
    public const string Section = "Retrieval:Graph";

    public const string FastExtraction = "fast";
    public const string NoExtraction = "none";
    public const string LlmExtraction = "llm";

    /// <summary>
    /// <c>fast</c> (rule-based, no LLM; the default), <c>llm</c> (the configured LLM, <c>Retrieval:Graph:Llm</c>; needs
    /// <c>Retrieval:Llm:Endpoint</c>) or <c>none</c> (no graph is built).
    /// </summary>
    [RegularExpression("^(fast|llm|none)$", ErrorMessage = "Extraction must be 'fast', 'llm' or 'none'.")]
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
    /// Topic bridging (multi-hop): a chunk whose document is <em>about</em> an entity (its title is the entity's name) that a
    /// top-ranked passage mentions, but the query does not, is lifted in the fused ranking by this share of the top fused
    /// score (divided by the passage's rank). The bridge passage of a 2-hop question ("the association that published the
    /// journal X") is usually the article on an entity the first-hop passage names. Applies in modes that combine the graph
    /// with dense or lexical retrieval. Default 0.5 (chosen on held-out halves of MuSiQue and SciFact, docs/evaluation.md);
    /// 0 switches it off.
    /// </summary>
    [Range(0.0, 10.0)]
    public double BridgeWeight { get; set; } = 0.5;

    /// <summary>Top fused passages whose entities are followed by <see cref="BridgeWeight"/>.</summary>
    [Range(1, 20)]
    public int BridgePassages { get; set; } = 1;

    /// <summary>An entity that more readable documents than this are titled after is ambiguous and is not followed.</summary>
    [Range(1, 100)]
    public int BridgeMaxTargets { get; set; } = 3;

    /// <summary>
    /// Agreement gate: the graph's list is fused only when one of its top this-many chunks is also among the dense
    /// retriever's (lexical's, without dense) top this-many. A query whose linked entities lead somewhere the text
    /// retrievers do not go at all (a common word that happens to be an entity: "Treatment", "Cells") is then ranked as
    /// without the graph. Default 5 (docs/evaluation.md); 0: off. Applies in modes that combine the graph with dense or
    /// lexical retrieval.
    /// </summary>
    [Range(0, 1_000)]
    public int AgreementTop { get; set; } = 5;
    /// Embedded store: expand subgraphs over a shared in-memory copy of the mention table, reloaded in the background after
    /// writes (reads in SQL until a copy matching the store exists). Off: every subgraph is read in SQL, no copy is kept.
    /// </summary>
    public bool InMemorySubgraph { get; set; } = true;

    /// <summary>Embedded store: above this many mentions the in-memory copy is not kept and subgraphs are read in SQL.</summary>
    [Range(1, int.MaxValue)]
    public int InMemorySubgraphMaxMentions { get; set; } = 10_000_000;
}
