using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Retrieval.Core.Diagnostics;

/// <summary>The service's one ActivitySource and Meter, both named <c>Retrieval</c>.</summary>
public static class RetrievalTelemetry
{
    public const string Name = "Retrieval";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);

    public static readonly Histogram<double> SearchDuration = Meter.CreateHistogram<double>(
        "retrieval.search.duration", "ms", "End-to-end search latency by mode.");

    public static readonly Histogram<double> RetrieverDuration = Meter.CreateHistogram<double>(
        "retrieval.retriever.duration", "ms", "Latency of one retriever (dense, lexical) inside a search.");

    public static readonly Histogram<double> AnswerSupport = Meter.CreateHistogram<double>(
        "retrieval.answer.support_ratio", null, "Fraction of answer sentences supported by their cited sources.");

    public static readonly Counter<long> Abstentions = Meter.CreateCounter<long>(
        "retrieval.answer.abstentions", null, "Answers that abstained, by reason.");

    public static readonly Counter<long> JudgeFallbacks = Meter.CreateCounter<long>(
        "retrieval.answer.judge_fallbacks", null, "Answers whose configured judge (llm) could not decide, so the lexical verdicts stood; by judge and reason.");

    public static readonly Counter<long> DocumentsIngested = Meter.CreateCounter<long>(
        "retrieval.ingest.documents", null, "Documents processed by ingestion, by outcome.");

    public static readonly Counter<long> ChunksIngested = Meter.CreateCounter<long>(
        "retrieval.ingest.chunks", null, "Chunks written by ingestion.");

    public static readonly Counter<long> ParsesAbandoned = Meter.CreateCounter<long>(
        "retrieval.ingest.parses_abandoned", null, "Parses that ran past Retrieval:Ingestion:ParseTimeout without stopping; their threads were abandoned.");

    public static readonly Counter<long> TokensEmbedded = Meter.CreateCounter<long>(
        "retrieval.ingest.tokens", null, "Tokens embedded by ingestion (reused embeddings excluded).");

    public static readonly Histogram<double> EmbeddingDuration = Meter.CreateHistogram<double>(
        "retrieval.embedding.duration", "ms", "Time to embed one batch of texts.");
}
