using System.Text.Json;

namespace Retrieval.Cli.Client;

// The CLI's own view of the REST contract (docs/api.md). Only what the CLI shows is typed; everything is
// nullable where the service may omit it, so a newer service does not break an older CLI.

/// <summary>A typed response plus the JSON exactly as the service sent it (for <c>--json</c>).</summary>
public sealed record ApiResult<T>(T Value, string Json);

public sealed record JobAccepted(string JobId, GraphEstimate? GraphEstimate = null);

/// <summary>What LLM graph extraction of a job costs at most (docs/api.md, "Graph extraction estimate").</summary>
public sealed record GraphEstimate(
    string? Extractor,
    int Documents,
    int UnreadableDocuments,
    int Chunks,
    long PromptTokens,
    long CompletionTokens,
    long TotalTokens,
    double? Cost,
    long? MaxTokensPerJob,
    bool OverBudget);

/// <summary>The answer to a dry run (<c>?dryRun=true</c>): the estimate only, nothing queued.</summary>
public sealed record JobEstimate(GraphEstimate? GraphEstimate);

public sealed record JobDocumentCounts(int Total, int Succeeded, int Failed);

public sealed record JobError(string? Source, string? Message);

public sealed record IngestJob(
    string Id,
    string State,
    JobDocumentCounts? Documents,
    long Chunks,
    long Tokens,
    IReadOnlyList<JobError>? Errors,
    int Attempts,
    string? LastError,
    string? ExecutionProvider,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt)
{
    public bool IsFinal => JobStates.IsFinal(State);

    public int DocumentsDone => (Documents?.Succeeded ?? 0) + (Documents?.Failed ?? 0);

    public int ErrorCount => Math.Max(Errors?.Count ?? 0, Documents?.Failed ?? 0);
}

public static class JobStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinal(string? state) =>
        state is Succeeded or Failed or Cancelled;
}

public sealed record JobList(IReadOnlyList<IngestJob> Jobs);

public sealed record ServerPathsIngestRequest(IReadOnlyList<string> Paths, IReadOnlyList<string> Acl);

public sealed record SearchRequest(string Query, int? TopK, string? Mode);

public sealed record RetrieverScore(double Score, int Rank);

public sealed record SearchHit(
    string ChunkId,
    string DocumentId,
    string? Title,
    string? Source,
    JsonElement SectionPath,
    string? Text,
    double Score,
    IReadOnlyDictionary<string, RetrieverScore>? Scores);

public sealed record Timings(double? TotalMs);

public sealed record SearchResponse(IReadOnlyList<SearchHit> Results, Timings? Timings);

public sealed record AskRequest(string Question, int? TopK);

public sealed record Citation(int Index, string? ChunkId, string? DocumentId, string? Title, string? Quote);

public sealed record SupportSentence(string? Text, IReadOnlyList<int>? Citations, bool Supported, double Score);

/// <summary><see cref="Judge"/>: <c>lexical</c> or <c>llm</c>; <see cref="JudgeFallback"/>: why the LLM judge could not decide.</summary>
public sealed record AnswerSupport(double Ratio, IReadOnlyList<SupportSentence>? Sentences, string? Judge = null, string? JudgeFallback = null);

public sealed record AskResponse(
    string? Answer,
    IReadOnlyList<Citation>? Citations,
    bool Abstained,
    string? Reason,
    AnswerSupport? Support,
    string? Generator,
    Timings? Timings);

public sealed record DocumentInfo(
    string Id,
    string? Tenant,
    string? Source,
    string? Title,
    string? ContentType,
    string? ContentHash,
    int? Version,
    IReadOnlyList<string>? Acl,
    IReadOnlyDictionary<string, string>? Metadata,
    int? Chunks,
    long? Tokens,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt);

public sealed record HealthReport(string? Status);

/// <summary>RFC 7807 problem details as the service writes them.</summary>
public sealed record ProblemDetailsBody(
    string? Type,
    string? Title,
    int? Status,
    string? Detail,
    IReadOnlyDictionary<string, string[]>? Errors);
