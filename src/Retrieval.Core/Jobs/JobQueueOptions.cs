namespace Retrieval.Core.Jobs;

/// <summary>
/// Retry policy of every job queue (configuration section <c>Retrieval:Jobs</c>, the same for the embedded and
/// PostgreSQL queues): a failed attempt waits <c>BaseBackoff × 2^(attempt−1)</c>, capped at <see cref="MaxBackoff"/>.
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
    }
}
