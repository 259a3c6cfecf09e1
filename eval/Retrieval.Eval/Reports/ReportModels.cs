using System.Text.Json.Serialization;

namespace Retrieval.Eval.Reports;

/// <summary>The top level of <c>report.json</c>: exactly one of the sections is present.</summary>
public sealed record EvalReport
{
    [JsonPropertyName("retrieval")]
    public RetrievalReport? Retrieval { get; init; }

    [JsonPropertyName("answers")]
    public AnswersReport? Answers { get; init; }

    [JsonPropertyName("groundedness")]
    public GroundednessReport? Groundedness { get; init; }
}

public sealed record LatencySummary(
    [property: JsonPropertyName("p50")] double P50,
    [property: JsonPropertyName("p95")] double P95);

public sealed record ModeMetrics(
    [property: JsonPropertyName("ndcg@10")] double Ndcg10,
    [property: JsonPropertyName("mrr@10")] double Mrr10,
    [property: JsonPropertyName("recall@2")] double Recall2,
    [property: JsonPropertyName("recall@5")] double Recall5,
    [property: JsonPropertyName("recall@10")] double Recall10,
    [property: JsonPropertyName("recall@100")] double Recall100,
    [property: JsonPropertyName("latencyMs")] LatencySummary LatencyMs)
{
    /// <summary>Metric names in report order, with their values; what tables, charts and gates iterate over.</summary>
    public IReadOnlyList<(string Name, double Value)> Values() =>
    [
        ("ndcg@10", Ndcg10), ("mrr@10", Mrr10), ("recall@2", Recall2), ("recall@5", Recall5), ("recall@10", Recall10), ("recall@100", Recall100),
    ];

    public double? Get(string metric) => Values().Where(v => v.Name == metric).Select(v => (double?)v.Value).FirstOrDefault();
}

/// <summary>The fusion settings a hybrid run used (<c>Retrieval:Query:*</c>).</summary>
public sealed record FusionSettings(
    [property: JsonPropertyName("denseWeight")] double DenseWeight,
    [property: JsonPropertyName("lexicalWeight")] double LexicalWeight,
    [property: JsonPropertyName("graphWeight")] double GraphWeight,
    [property: JsonPropertyName("rrfK")] int RrfK,
    [property: JsonPropertyName("candidatesPerRetriever")] int CandidatesPerRetriever);

public sealed record StoreInfo(
    [property: JsonPropertyName("directory")] string Directory,
    [property: JsonPropertyName("reused")] bool Reused,
    [property: JsonPropertyName("documents")] long Documents,
    [property: JsonPropertyName("chunks")] long Chunks,
    [property: JsonPropertyName("failedDocuments")] int FailedDocuments,
    [property: JsonPropertyName("indexingSeconds")] double IndexingSeconds,
    [property: JsonPropertyName("chunkTokens")] int ChunkTokens,
    [property: JsonPropertyName("overlapTokens")] int OverlapTokens);

/// <summary>One point of the fusion grid: hybrid nDCG@10 on the tuning half and on the held-out half of the queries.</summary>
public sealed record FusionTrial(
    [property: JsonPropertyName("denseWeight")] double DenseWeight,
    [property: JsonPropertyName("lexicalWeight")] double LexicalWeight,
    [property: JsonPropertyName("rrfK")] int RrfK,
    [property: JsonPropertyName("tuneNdcg@10")] double TuneNdcg10,
    [property: JsonPropertyName("heldOutNdcg@10")] double HeldOutNdcg10,
    [property: JsonPropertyName("heldOutRecall@10")] double HeldOutRecall10);

public sealed record FusionTuning(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("trials")] IReadOnlyList<FusionTrial> Trials,
    [property: JsonPropertyName("chosen")] FusionTrial Chosen,
    [property: JsonPropertyName("default")] FusionTrial Default);

public sealed record RetrievalReport
{
    [JsonPropertyName("dataset")]
    public required string Dataset { get; init; }

    [JsonPropertyName("split")]
    public required string Split { get; init; }

    [JsonPropertyName("corpus")]
    public required int Corpus { get; init; }

    [JsonPropertyName("queries")]
    public required int Queries { get; init; }

    /// <summary><c>all</c>, or the <c>tune</c> (even positions) or <c>heldout</c> (odd positions) half of the judged queries.</summary>
    [JsonPropertyName("querySubset")]
    public string QuerySubset { get; init; } = "all";

    /// <summary>Service settings overridden with <c>--set</c> for this run.</summary>
    [JsonPropertyName("settings")]
    public IReadOnlyDictionary<string, string?>? Settings { get; init; }

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("modes")]
    public required IReadOnlyDictionary<string, ModeMetrics> Modes { get; init; }

    [JsonPropertyName("format")]
    public string? Format { get; init; }

    [JsonPropertyName("executionProvider")]
    public string? ExecutionProvider { get; init; }

    /// <summary>Chunk hits requested per query; documents are counted once, at their best-ranked chunk.</summary>
    [JsonPropertyName("chunkDepth")]
    public int ChunkDepth { get; init; }

    [JsonPropertyName("fusion")]
    public FusionSettings? Fusion { get; init; }

    [JsonPropertyName("store")]
    public StoreInfo? Store { get; init; }

    [JsonPropertyName("failedQueries")]
    public int FailedQueries { get; init; }

    [JsonPropertyName("fusionTuning")]
    public FusionTuning? FusionTuning { get; init; }
}

public sealed record AnswersReport
{
    [JsonPropertyName("dataset")]
    public required string Dataset { get; init; }

    [JsonPropertyName("questions")]
    public required int Questions { get; init; }

    /// <summary>Fraction of questions the service abstained on.</summary>
    [JsonPropertyName("abstained")]
    public required double Abstained { get; init; }

    /// <summary>Mean support ratio of the answers given (abstentions excluded).</summary>
    [JsonPropertyName("supportRatio")]
    public required double SupportRatio { get; init; }

    /// <summary>Mean over answered questions with citations of |cited ∩ gold| / |cited| (documents).</summary>
    [JsonPropertyName("citationPrecision")]
    public required double CitationPrecision { get; init; }

    /// <summary>Mean over answered questions of |cited ∩ gold| / |gold| (documents).</summary>
    [JsonPropertyName("citationRecall")]
    public required double CitationRecall { get; init; }

    /// <summary>Fraction of all questions whose answer contains the gold answer or an alias (abstentions count as misses).</summary>
    [JsonPropertyName("answerContainsGold")]
    public required double AnswerContainsGold { get; init; }

    [JsonPropertyName("answered")]
    public int Answered { get; init; }

    [JsonPropertyName("answerContainsGoldWhenAnswered")]
    public double AnswerContainsGoldWhenAnswered { get; init; }

    [JsonPropertyName("abstentionReasons")]
    public IReadOnlyDictionary<string, int>? AbstentionReasons { get; init; }

    [JsonPropertyName("model")]
    public string? Model { get; init; }

    [JsonPropertyName("generator")]
    public string? Generator { get; init; }

    /// <summary>The configured answer judge (<c>lexical</c> or <c>llm</c>).</summary>
    [JsonPropertyName("judge")]
    public string? Judge { get; init; }

    /// <summary>Answers on which the LLM judge could not decide and the lexical verdicts stood (null for the lexical judge).</summary>
    [JsonPropertyName("judgeFallbacks")]
    public int? JudgeFallbacks { get; init; }

    [JsonPropertyName("topK")]
    public int TopK { get; init; }

    [JsonPropertyName("latencyMs")]
    public LatencySummary? LatencyMs { get; init; }

    [JsonPropertyName("store")]
    public StoreInfo? Store { get; init; }
}

public sealed record GroupAccuracy(
    [property: JsonPropertyName("n")] int N,
    [property: JsonPropertyName("balancedAccuracy")] double BalancedAccuracy,
    [property: JsonPropertyName("positives")] int Positives);

/// <summary>Balanced accuracy at a threshold chosen on data; see <see cref="Method"/> for how honest it is.</summary>
public sealed record ThresholdedResult(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("thresholds")] IReadOnlyDictionary<string, double> Thresholds,
    [property: JsonPropertyName("groups")] IReadOnlyDictionary<string, GroupAccuracy> Groups,
    [property: JsonPropertyName("meanBalancedAccuracy")] double MeanBalancedAccuracy);

public sealed record GroundednessReport
{
    [JsonPropertyName("dataset")]
    public required string Dataset { get; init; }

    [JsonPropertyName("detector")]
    public required string Detector { get; init; }

    /// <summary>Balanced accuracy per domain at the service's own threshold.</summary>
    [JsonPropertyName("groups")]
    public required IReadOnlyDictionary<string, GroupAccuracy> Groups { get; init; }

    [JsonPropertyName("meanBalancedAccuracy")]
    public required double MeanBalancedAccuracy { get; init; }

    [JsonPropertyName("format")]
    public string? Format { get; init; }

    /// <summary>The service's <c>AnswerVerifier.SupportThreshold</c>, at which <see cref="Groups"/> is measured.</summary>
    [JsonPropertyName("threshold")]
    public double Threshold { get; init; }

    [JsonPropertyName("aggregation")]
    public string? Aggregation { get; init; }

    /// <summary>Threshold chosen on one half of each domain, balanced accuracy on the other half.</summary>
    [JsonPropertyName("heldOut")]
    public ThresholdedResult? HeldOut { get; init; }

    /// <summary>Best threshold per domain chosen on all of it: an oracle upper bound, not a deployable number.</summary>
    [JsonPropertyName("oracle")]
    public ThresholdedResult? Oracle { get; init; }

    /// <summary>With the LLM judge: the model, and how many claims fell back to the lexical verdicts.</summary>
    [JsonPropertyName("judgeModel")]
    public string? JudgeModel { get; init; }

    [JsonPropertyName("judgeFallbacks")]
    public int? JudgeFallbacks { get; init; }

    /// <summary>When <c>--limit</c> evaluated an evenly spaced subset: the size of the whole dataset.</summary>
    [JsonPropertyName("examplesInDataset")]
    public int? ExamplesInDataset { get; init; }
}
