using Mediator;
using Retrieval.Core.Jobs;
using Retrieval.Core.Security;

namespace Retrieval.Core.Features.Jobs;

/// <summary>A job is visible to the ingestor who submitted it and to admins of its tenant; to anyone else it does not exist.</summary>
internal static class JobVisibility
{
    public static bool CanSee(Principal principal, JobStatus job) =>
        principal.IsInRole(RetrievalRoles.Admin) || string.Equals(job.SubmittedBy, principal.UserId, StringComparison.Ordinal);
}

public sealed record GetJobRequest(Principal Principal, string JobId) : IRequest<JobStatus>;

public sealed class GetJobHandler : IRequestHandler<GetJobRequest, JobStatus>
{
    private readonly IJobQueue _queue;

    public GetJobHandler(IJobQueue queue) => _queue = queue;

    public async ValueTask<JobStatus> Handle(GetJobRequest request, CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Ingestor);
        var job = await _queue.GetAsync(request.Principal.Tenant, request.JobId, cancellationToken).ConfigureAwait(false);
        return job is not null && JobVisibility.CanSee(request.Principal, job)
            ? job
            : throw new NotFoundException($"Job '{request.JobId}' was not found.");
    }
}

public sealed record ListJobsRequest(Principal Principal, int Limit) : IRequest<IReadOnlyList<JobStatus>>;

public sealed class ListJobsHandler : IRequestHandler<ListJobsRequest, IReadOnlyList<JobStatus>>
{
    public const int MaxLimit = 500;

    private readonly IJobQueue _queue;

    public ListJobsHandler(IJobQueue queue) => _queue = queue;

    public async ValueTask<IReadOnlyList<JobStatus>> Handle(ListJobsRequest request, CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Ingestor);
        if (request.Limit is < 1 or > MaxLimit)
        {
            throw new ValidationException($"limit must be between 1 and {MaxLimit}.");
        }

        var submittedBy = request.Principal.IsInRole(RetrievalRoles.Admin) ? null : request.Principal.UserId;
        return await _queue.ListAsync(request.Principal.Tenant, submittedBy, request.Limit, cancellationToken).ConfigureAwait(false);
    }
}

public sealed record CancelJobRequest(Principal Principal, string JobId) : IRequest<JobStatus>;

public sealed class CancelJobHandler : IRequestHandler<CancelJobRequest, JobStatus>
{
    private readonly IJobQueue _queue;

    public CancelJobHandler(IJobQueue queue) => _queue = queue;

    public async ValueTask<JobStatus> Handle(CancelJobRequest request, CancellationToken cancellationToken)
    {
        var job = await new GetJobHandler(_queue).Handle(new GetJobRequest(request.Principal, request.JobId), cancellationToken).ConfigureAwait(false);
        var outcome = await _queue.CancelAsync(job.Tenant, job.Id, cancellationToken).ConfigureAwait(false);
        return outcome switch
        {
            CancelOutcome.Cancelled => (await _queue.GetAsync(job.Tenant, job.Id, cancellationToken).ConfigureAwait(false))!,
            CancelOutcome.AlreadyFinished => throw new ConflictException($"Job '{job.Id}' already finished ({job.State.ToString().ToLowerInvariant()})."),
            _ => throw new NotFoundException($"Job '{request.JobId}' was not found."),
        };
    }
}
