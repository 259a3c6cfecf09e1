using System.Collections.Concurrent;

namespace Retrieval.CrashHarness;

/// <summary>
/// What the run found. A <em>loss</em> is an acknowledged write that is not (fully) there, or an acknowledged delete or
/// replacement that came back; a <em>violation</em> is a broken store invariant or an unexpected answer from the service.
/// </summary>
internal sealed class Findings
{
    private const int MaxKept = 200;

    private readonly ConcurrentQueue<string> losses = new();
    private readonly ConcurrentQueue<string> violations = new();
    private int lossCount;
    private int violationCount;
    private int acknowledgedWrites;
    private int acknowledgedDeletes;
    private int acknowledgedJobs;

    public int LossCount => Volatile.Read(ref lossCount);

    public int ViolationCount => Volatile.Read(ref violationCount);

    public int AcknowledgedWrites => Volatile.Read(ref acknowledgedWrites);

    public int AcknowledgedDeletes => Volatile.Read(ref acknowledgedDeletes);

    public int AcknowledgedJobs => Volatile.Read(ref acknowledgedJobs);

    public IEnumerable<string> Losses => losses;

    public IEnumerable<string> Violations => violations;

    /// <summary>Called with every finding as it is made (the console tool prints them at once).</summary>
    public Action<string>? OnFinding { get; set; }

    public void Loss(string message)
    {
        Interlocked.Increment(ref lossCount);
        Keep(losses, "LOSS " + message);
    }

    public void Violation(string message)
    {
        Interlocked.Increment(ref violationCount);
        Keep(violations, "VIOLATION " + message);
    }

    public void CountAcknowledgedWrite() => Interlocked.Increment(ref acknowledgedWrites);

    public void CountAcknowledgedDelete() => Interlocked.Increment(ref acknowledgedDeletes);

    public void CountAcknowledgedJob() => Interlocked.Increment(ref acknowledgedJobs);

    private void Keep(ConcurrentQueue<string> queue, string message)
    {
        OnFinding?.Invoke(message);
        if (queue.Count < MaxKept)
        {
            queue.Enqueue(message);
        }
    }
}
