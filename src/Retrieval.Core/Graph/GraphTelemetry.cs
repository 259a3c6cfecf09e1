using System.Diagnostics.Metrics;
using Retrieval.Core.Diagnostics;

namespace Retrieval.Core.Graph;

/// <summary>Graph metrics on the service's <c>Retrieval</c> meter.</summary>
public static class GraphTelemetry
{
    public static readonly Histogram<double> ExtractionDuration = RetrievalTelemetry.Meter.CreateHistogram<double>(
        "retrieval.graph.extraction.duration", "ms", "Time to extract the knowledge graph of one document.");

    public static readonly Counter<long> MentionsExtracted = RetrievalTelemetry.Meter.CreateCounter<long>(
        "retrieval.graph.mentions", null, "Entity mentions (entity, chunk pairs) extracted by ingestion.");

    /// <summary>Subgraph reads by <c>source</c> (<c>copy</c>: the in-memory copy; <c>sql</c>) and, for SQL, <c>reason</c> (<c>stale</c>, <c>too_large</c>, <c>disabled</c>).</summary>
    public static readonly Counter<long> SubgraphReads = RetrievalTelemetry.Meter.CreateCounter<long>(
        "retrieval.graph.subgraph.reads", null, "Subgraph reads, by source (in-memory copy or SQL) and why SQL answered.");

    /// <summary>Background reloads of the in-memory subgraph copy by <c>outcome</c>: <c>installed</c>, <c>superseded</c> (a write landed meanwhile), <c>too_large</c>, <c>failed</c>.</summary>
    public static readonly Counter<long> SnapshotReloads = RetrievalTelemetry.Meter.CreateCounter<long>(
        "retrieval.graph.snapshot.reloads", null, "Background reloads of the in-memory subgraph copy, by outcome.");

    public static readonly Histogram<double> SnapshotReloadDuration = RetrievalTelemetry.Meter.CreateHistogram<double>(
        "retrieval.graph.snapshot.reload.duration", "ms", "Time to reload the in-memory subgraph copy in the background.");

    /// <summary>
    /// Rows of the LLM graph extraction cache deleted because no stored chunk holds their text, by <c>reason</c>:
    /// <c>failed_ingest</c> (right after an ingest failed) or <c>sweep</c> (the periodic orphan sweep).
    /// </summary>
    public static readonly Counter<long> ExtractionCachePurged = RetrievalTelemetry.Meter.CreateCounter<long>(
        "retrieval.graph.llm.cache.purged", null, "LLM graph extraction cache rows deleted because no stored chunk holds their text, by reason.");
}
