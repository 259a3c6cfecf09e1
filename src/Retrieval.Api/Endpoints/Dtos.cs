using Retrieval.Core.Documents;
using Retrieval.Core.Jobs;
using Retrieval.Core.Query;

namespace Retrieval.Api.Endpoints;

public sealed record SearchBody(string? Query, int? TopK, string? Mode);

public sealed record SearchResponse(IReadOnlyList<SearchHit> Results, IReadOnlyDictionary<string, double> Timings)
{
    /// <summary><c>mode: "global"</c> only: the caller's communities the results come from, with their summaries.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<Retrieval.Core.Graph.GraphCommunity>? Communities { get; init; }
}

/// <summary>
/// <c>stream: true</c> answers as server-sent events (answer deltas, then a final event with citations and verification).
/// <c>mode</c> picks the retrievers the sources come from, as on <c>/v1/search</c> (default <c>hybrid</c>).
/// </summary>
public sealed record AskBody(string? Question, int? TopK, bool? Stream = null, string? Mode = null);

public sealed record DocumentBody(string? Id, string? Title, string? Text, string? ContentType, IReadOnlyList<string>? Acl, IReadOnlyDictionary<string, string>? Metadata);

public sealed record DocumentCreated(string Id, int Version, int Chunks, bool Unchanged);

public sealed record DocumentResponse(
    string Id, string Tenant, string Title, string Source, string ContentType, string ContentHash, int Version, int Chunks, long Tokens,
    IReadOnlyList<string> Acl, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static DocumentResponse From(DocumentRecord d) =>
        new(d.Id, d.Tenant, d.Title, d.Source, d.ContentType, d.ContentHash, d.Version, d.ChunkCount, d.TokenCount, d.Acl, d.Metadata, d.CreatedAt, d.UpdatedAt);
}

public sealed record JobBody(IReadOnlyList<string>? Paths, IReadOnlyList<string>? Acl, IReadOnlyDictionary<string, string>? Metadata);

/// <summary>A queued job; <see cref="GraphEstimate"/> is the LLM graph extraction estimate (null when extraction calls no LLM).</summary>
public sealed record JobAccepted(string JobId, Retrieval.Core.Graph.GraphExtractionEstimate? GraphEstimate);

/// <summary>A dry run's answer: what the job would cost, nothing queued.</summary>
public sealed record JobEstimate(Retrieval.Core.Graph.GraphExtractionEstimate? GraphEstimate);

public sealed record JobDocumentCounts(int Total, int Succeeded, int Failed);

public sealed record JobResponse(
    string Id, JobState State, JobDocumentCounts Documents, long Chunks, long Tokens, IReadOnlyList<JobError> Errors,
    int Attempts, string? LastError, string? ExecutionProvider, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    public static JobResponse From(JobStatus j) =>
        new(j.Id, j.State, new JobDocumentCounts(j.Total, j.Succeeded, j.Failed), j.Chunks, j.Tokens, j.Errors,
            j.Attempts, j.LastError, j.ExecutionProvider, j.CreatedAt, j.StartedAt, j.FinishedAt);
}

public sealed record JobList(IReadOnlyList<JobResponse> Jobs);
