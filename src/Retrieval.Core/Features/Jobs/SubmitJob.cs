using Mediator;
using Microsoft.Extensions.Options;
using Retrieval.Core.Graph;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Parsing;
using Retrieval.Core.Jobs;
using Retrieval.Core.Options;
using Retrieval.Core.Security;

namespace Retrieval.Core.Features.Jobs;

/// <summary>An uploaded file: <see cref="Name"/> becomes the document's source and id.</summary>
public sealed record UploadedFile(string Name, string? ContentType, byte[] Content);

/// <summary>
/// Queue an ingestion job of server-side paths or uploaded files (role ingestor). With LLM graph extraction the job's
/// token estimate is computed first and checked against <c>Retrieval:Graph:Llm:MaxTokensPerJob</c>; with
/// <see cref="DryRun"/> only the estimate is returned and nothing is queued.
/// </summary>
public sealed record SubmitJobRequest(
    Principal Principal,
    IReadOnlyList<string> Paths,
    IReadOnlyList<UploadedFile> Files,
    IReadOnlyList<string> Acl,
    IReadOnlyDictionary<string, string>? Metadata) : IRequest<SubmitJobResult>
{
    public bool DryRun { get; init; }
}

/// <summary>The queued job's id (null for a dry run) and the graph extraction estimate (null when extraction calls no LLM).</summary>
public sealed record SubmitJobResult(string? JobId, GraphExtractionEstimate? GraphEstimate);

public sealed class SubmitJobHandler : IRequestHandler<SubmitJobRequest, SubmitJobResult>
{
    private readonly IJobQueue _queue;
    private readonly JobPaths _paths;
    private readonly DocumentParsers _parsers;
    private readonly JobSignal _signal;
    private readonly IOptionsMonitor<IngestionOptions> _options;
    private readonly GraphExtractionEstimator _estimator;

    public SubmitJobHandler(
        IJobQueue queue, JobPaths paths, DocumentParsers parsers, JobSignal signal, IOptionsMonitor<IngestionOptions> options, GraphExtractionEstimator estimator)
    {
        _estimator = estimator;
        _queue = queue;
        _paths = paths;
        _parsers = parsers;
        _signal = signal;
        _options = options;
    }

    public async ValueTask<SubmitJobResult> Handle(SubmitJobRequest request, CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Ingestor);
        var options = _options.CurrentValue;
        var acl = AclEntry.NormalizeAll(request.Acl);
        if (request.Paths.Count == 0 && request.Files.Count == 0)
        {
            throw new ValidationException("A job needs at least one path or uploaded file.");
        }

        var items = new List<JobItem>();
        if (request.Paths.Count > 0)
        {
            items.AddRange(_paths.Expand(request.Paths, _parsers.IsSupported).Select(p => new JobItem(p, p, null, null)));
        }

        foreach (var file in request.Files)
        {
            var name = UploadName(file.Name);
            if (file.Content.LongLength > options.MaxDocumentBytes)
            {
                throw new PayloadTooLargeException($"'{name}' is {file.Content.LongLength} bytes; the limit is {options.MaxDocumentBytes} (Retrieval:Ingestion:MaxDocumentBytes).");
            }

            items.Add(new JobItem(name, null, file.Content, file.ContentType));
        }

        if (items.Count > options.MaxJobItems)
        {
            throw new PayloadTooLargeException($"A job may contain at most {options.MaxJobItems} items (Retrieval:Ingestion:MaxJobItems).");
        }

        var estimate = await _estimator.EstimateAsync(items, cancellationToken).ConfigureAwait(false);
        if (request.DryRun)
        {
            return new SubmitJobResult(null, estimate);
        }

        if (estimate is { OverBudget: true })
        {
            throw new PayloadTooLargeException(string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"LLM graph extraction of this job is estimated at up to {estimate.TotalTokens} tokens ({estimate.Chunks} chunks), over the budget of {estimate.MaxTokensPerJob} (Retrieval:Graph:Llm:MaxTokensPerJob). Split the job, raise the budget or use Retrieval:Graph:Extraction=fast."));
        }

        var submission = new JobSubmission(
            request.Principal.Tenant, request.Principal.UserId, acl, items,
            request.Metadata ?? new Dictionary<string, string>(StringComparer.Ordinal));
        var id = await _queue.EnqueueAsync(submission, cancellationToken).ConfigureAwait(false);
        _signal.Notify();
        return new SubmitJobResult(id, estimate);
    }

    /// <summary>An upload's name is a relative path used as the document id: no "..", no rooted paths, forward slashes.</summary>
    public static string UploadName(string? raw)
    {
        var name = (raw ?? string.Empty).Replace('\\', '/').Trim();
        var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts.Any(p => p is "." or "..") || name.Any(char.IsControl))
        {
            throw new ValidationException($"Invalid upload file name '{raw}': use a relative path without '..'.");
        }

        var normalized = string.Join('/', parts);
        DocumentIngestor.ValidateId(normalized);
        return normalized;
    }
}
