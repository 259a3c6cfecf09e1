namespace Retrieval.Core.Jobs;

/// <summary>
/// Retry policy and per-tenant cap of every job queue (configuration section <c>Retrieval:Jobs</c>, the same for the
/// embedded and PostgreSQL queues): a failed attempt waits <c>BaseBackoff × 2^(attempt−1)</c>, capped at <see cref="MaxBackoff"/>.
/// </summary>
public sealed class JobQueueOptions
{
    /// <summary>Attempts (claims) before a job is failed for good (its dead-letter state).</summary>
    public int MaxAttempts { get; set; } = 5;

    public TimeSpan BaseBackoff { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Per-item error messages longer than this are truncated when stored.</summary>
    public int MaxErrorLength { get; set; } = 2000;

    /// <summary>How many per-item errors a job status lists (the first ones, by item index).</summary>
    public int MaxReportedErrors { get; set; } = 100;

    /// <summary>
    /// The most active (queued or running) jobs one tenant may have; a submission beyond it is refused with
    /// <see cref="TooManyRequestsException"/>. 0 turns the cap off. Queued jobs count, not only running ones: they
    /// hold their uploaded bytes in the store until they finish, and the queue is first come first served, so a
    /// tenant that floods it delays every other tenant's jobs even while workers run only one of its jobs.
    /// </summary>
    public int MaxActivePerTenant { get; set; } = 50;

    /// <summary>The <c>Retry-After</c> given with a refused submission: roughly how long a job takes to finish.</summary>
    public TimeSpan ActiveCapRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Throws <see cref="TooManyRequestsException"/> when a tenant that already has <paramref name="active"/> queued or
    /// running jobs may not submit another. The queues call it inside the transaction that inserts the job, after
    /// serializing submissions of the tenant, so concurrent submissions cannot overshoot the cap.
    /// </summary>
    public void EnsureBelowActiveCap(long active)
    {
        if (MaxActivePerTenant > 0 && active >= MaxActivePerTenant)
        {
            throw new TooManyRequestsException(
                $"The tenant has {active} queued or running ingestion jobs; the limit is {MaxActivePerTenant} (Retrieval:Jobs:MaxActivePerTenant). " +
                "Submit again when one has finished.",
                ActiveCapRetryAfter);
        }
    }

    /// <summary>The wait before the next claim after a failed attempt number <paramref name="attempt"/>.</summary>
    public TimeSpan BackoffAfter(int attempt)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ticks = BaseBackoff.Ticks * Math.Pow(2, exponent);
        return ticks >= MaxBackoff.Ticks ? MaxBackoff : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Throws when the policy is unusable (no attempts, negative or inverted backoff).</summary>
    public void Validate()
    {
        if (MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "At least one attempt is needed.");
        }

        if (BaseBackoff < TimeSpan.Zero || MaxBackoff < BaseBackoff)
        {
            throw new ArgumentOutOfRangeException(nameof(BaseBackoff), BaseBackoff, "Backoff must be non-negative and not above MaxBackoff.");
        }

        if (MaxActivePerTenant < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxActivePerTenant), MaxActivePerTenant, "Use a positive cap, or 0 for no cap.");
        }

        if (ActiveCapRetryAfter < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(ActiveCapRetryAfter), ActiveCapRetryAfter, "Retry-After is given in whole seconds: at least 1 s.");
        }
    }
}
