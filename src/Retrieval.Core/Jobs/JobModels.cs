namespace Retrieval.Core.Jobs;

public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>One thing to ingest: a server-side path (under an allowed root) or uploaded bytes kept with the job.</summary>
public sealed record JobItem(string Source, string? ServerPath, byte[]? Content, string? ContentType);

public sealed record JobSubmission(
    string Tenant,
    string SubmittedBy,
    IReadOnlyList<string> Acl,
    IReadOnlyList<JobItem> Items,
    IReadOnlyDictionary<string, string> Metadata);

public sealed record JobError(string Source, string Message);

public sealed record JobStatus(
    string Id,
    string Tenant,
    string SubmittedBy,
    JobState State,
    int Total,
    int Succeeded,
    int Failed,
    long Chunks,
    long Tokens,
    IReadOnlyList<JobError> Errors,
    int Attempts,
    string? LastError,
    string? ExecutionProvider,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);

/// <summary>A claimed job. Valid until <see cref="LeaseUntil"/>; renew it while working.</summary>
public sealed record JobLease(
    string JobId,
    string Tenant,
    string SubmittedBy,
    IReadOnlyList<string> Acl,
    IReadOnlyDictionary<string, string> Metadata,
    string WorkerId,
    int Attempt,
    DateTimeOffset LeaseUntil,
    IReadOnlyList<JobItemRef> Items);

/// <summary>An item of a claimed job; <see cref="Done"/> items were recorded by an earlier attempt and are skipped.</summary>
public sealed record JobItemRef(int Index, string Source, string? ServerPath, string? ContentType, bool HasContent, bool Done);

public sealed record JobItemOutcome(bool Succeeded, string? DocumentId, int Chunks, long Tokens, string? Error)
{
    public static JobItemOutcome Success(string documentId, int chunks, long tokens) => new(true, documentId, chunks, tokens, null);

    public static JobItemOutcome Failure(string error) => new(false, null, 0, 0, error);
}

public enum CancelOutcome
{
    NotFound,
    Cancelled,
    AlreadyFinished,
}

/// <summary>The worker no longer holds the job's lease (it expired and was taken over, or the job finished or was cancelled).</summary>
public sealed class JobLeaseLostException : InvalidOperationException
{
    public JobLeaseLostException(string message) : base(message) { }

    public JobLeaseLostException() { }

    public JobLeaseLostException(string message, Exception inner) : base(message, inner) { }
}
