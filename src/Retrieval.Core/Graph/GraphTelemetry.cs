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
}
