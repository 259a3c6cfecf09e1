namespace Retrieval.Hosting.Warmup;

/// <summary>
/// One part of the start-up warm-up (<see cref="StartupWarmup"/> runs them in registration order under one time
/// budget). A step must not return or log anything read from tenants' data.
/// </summary>
internal interface IWarmupStep
{
    /// <summary>Short name for the log line and the metric (<c>preload</c>, <c>embeddings</c>, <c>searches</c>).</summary>
    string Name { get; }

    /// <summary>Does the work; returns what it did, for the log line (counts, never data).</summary>
    Task<string> RunAsync(CancellationToken cancellationToken);
}
