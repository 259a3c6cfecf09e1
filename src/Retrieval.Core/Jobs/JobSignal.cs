namespace Retrieval.Core.Jobs;

/// <summary>Wakes idle in-process workers when a job is enqueued (they also poll, for jobs from other processes).</summary>
public sealed class JobSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, int.MaxValue);

    public void Notify() => _semaphore.Release();

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (await _semaphore.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
        {
            // Collapse a burst of notifications into one wake-up.
            while (_semaphore.CurrentCount > 0 && _semaphore.Wait(0, CancellationToken.None))
            {
            }
        }
    }

    public void Dispose() => _semaphore.Dispose();
}
