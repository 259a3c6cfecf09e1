namespace Retrieval.Core.Jobs;

/// <summary>
/// Durable ingestion job queue with leases. Delivery is at-least-once: a worker that dies loses its lease and
/// another worker resumes the job, skipping items already recorded; every write downstream is idempotent.
/// </summary>
public interface IJobQueue
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Queues a job. Throws <see cref="TooManyRequestsException"/> when the tenant already has
    /// <see cref="JobQueueOptions.MaxActivePerTenant"/> queued or running jobs; the check and the insert are atomic.
    /// </summary>
    Task<string> EnqueueAsync(JobSubmission submission, CancellationToken cancellationToken);

    /// <summary>The job if it exists in this tenant, else null.</summary>
    Task<JobStatus?> GetAsync(string tenant, string jobId, CancellationToken cancellationToken);

    /// <summary>Newest first. <paramref name="submittedBy"/> null lists every job of the tenant (admins).</summary>
    Task<IReadOnlyList<JobStatus>> ListAsync(string tenant, string? submittedBy, int limit, CancellationToken cancellationToken);

    Task<CancelOutcome> CancelAsync(string tenant, string jobId, CancellationToken cancellationToken);

    /// <summary>Claims the oldest runnable job (queued and due, or running with an expired lease). Null when none.</summary>
    Task<JobLease?> ClaimAsync(string workerId, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>Extends the lease. False when the lease was lost or the job was cancelled: stop working on it.</summary>
    Task<bool> RenewAsync(JobLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>
    /// Gives a claimed job back on graceful shutdown: queued again at once, and the attempt is not counted.
    /// False when the lease was no longer held.
    /// </summary>
    Task<bool> ReleaseAsync(JobLease lease, CancellationToken cancellationToken);

    /// <summary>The uploaded bytes of an item, or null when the item is a server path.</summary>
    Task<byte[]?> ReadItemContentAsync(string jobId, int index, CancellationToken cancellationToken);

    /// <summary>Records an item's outcome once (idempotent per item) and updates the job's counts.</summary>
    Task RecordItemAsync(JobLease lease, int index, JobItemOutcome outcome, CancellationToken cancellationToken);

    /// <summary>Marks the job finished (succeeded, or failed when every item failed) and drops uploaded bytes.</summary>
    Task CompleteAsync(JobLease lease, string executionProvider, CancellationToken cancellationToken);

    /// <summary>A whole-job failure: retried with exponential backoff until the attempt limit, then state failed.</summary>
    Task FailAsync(JobLease lease, string reason, CancellationToken cancellationToken);

    /// <summary>Queued or running jobs, for metrics.</summary>
    Task<int> CountPendingAsync(CancellationToken cancellationToken);
}
