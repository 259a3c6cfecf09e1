namespace Retrieval.Core.Query;

/// <summary>
/// Work offered to the thread pool to run beside the caller's own, and run by the caller itself if no pool thread has
/// started it by the time the caller needs the result. Made for work that completes synchronously (SQLite, ONNX
/// Runtime): with an idle core it overlaps the caller's work; on a saturated pool it costs one queued item and runs
/// where it would have run anyway, after the caller's work, instead of waiting in the queue behind other requests.
/// Whoever claims it first runs it; the other does nothing.
/// </summary>
internal sealed class OverlappedWork<T>
{
    private readonly Func<Task<T>> _work;
    private readonly TaskCompletionSource<Task<T>> _started = new();
    private int _claimed;

    private OverlappedWork(Func<Task<T>> work) => _work = work;

    /// <summary>
    /// Queues <paramref name="work"/> to the current pool thread's local queue (the global queue from another thread):
    /// idle workers steal from it, busy ones take new requests from the global queue first. The execution context flows,
    /// so the work's activity is a child of the caller's.
    /// </summary>
    public static OverlappedWork<T> Start(Func<Task<T>> work)
    {
        var overlapped = new OverlappedWork<T>(work);
        ThreadPool.QueueUserWorkItem(static o => o.TryRun(), overlapped, preferLocal: true);
        return overlapped;
    }

    /// <summary>The work's result: runs the work on this thread if no pool thread has started it yet.</summary>
    public async Task<T> JoinAsync()
    {
        TryRun();
        var task = await _started.Task.ConfigureAwait(false);
        return await task.ConfigureAwait(false);
    }

    private void TryRun()
    {
        if (Interlocked.Exchange(ref _claimed, 1) != 0)
        {
            return;
        }

        Task<T> task;
        try
        {
            task = _work();
        }
#pragma warning disable CA1031 // The work's own exception, handed to whoever joins it, as an async method would.
        catch (Exception e)
#pragma warning restore CA1031
        {
            task = Task.FromException<T>(e);
        }

        _started.SetResult(task);
    }
}
