using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Diagnostics;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Options;

namespace Retrieval.Core.Jobs;

/// <summary>
/// Claims ingestion jobs from the durable queue and runs each item through the <see cref="DocumentIngestor"/>,
/// renewing its lease while it works. Items recorded by an earlier attempt are skipped, and every write is an
/// idempotent upsert, so a job interrupted anywhere (crash, restart, lost lease) is finished by the next claim.
/// </summary>
public sealed partial class IngestionWorker : BackgroundService
{
    private readonly IJobQueue _queue;
    private readonly DocumentIngestor _ingestor;
    private readonly JobSignal _signal;
    private readonly IEmbeddingModelInfo _model;
    private readonly JobPaths _paths;
    private readonly IOptionsMonitor<IngestionOptions> _ingestion;
    private readonly IOptionsMonitor<WorkerOptions> _worker;
    private readonly ILogger<IngestionWorker> _logger;
    private readonly ILogger _audit;
    private readonly string _workerId = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..12]}";

    public IngestionWorker(
        IJobQueue queue,
        DocumentIngestor ingestor,
        JobSignal signal,
        IEmbeddingModelInfo model,
        JobPaths paths,
        IOptionsMonitor<IngestionOptions> ingestion,
        IOptionsMonitor<WorkerOptions> worker,
        ILogger<IngestionWorker> logger,
        ILoggerFactory loggers)
    {
        _queue = queue;
        _ingestor = ingestor;
        _signal = signal;
        _model = model;
        _paths = paths;
        _ingestion = ingestion;
        _worker = worker;
        _logger = logger;
        _audit = loggers.CreateLogger(AuditOptions.Category);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(_logger, _workerId);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var lease = await _queue.ClaimAsync(_workerId, _worker.CurrentValue.LeaseDuration, stoppingToken).ConfigureAwait(false);
                if (lease is null)
                {
                    await _signal.WaitAsync(_worker.CurrentValue.PollInterval, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                await RunJobAsync(lease, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogLoopError(_logger, ex);
                await Task.Delay(_worker.CurrentValue.PollInterval, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RunJobAsync(JobLease lease, CancellationToken stoppingToken)
    {
        LogClaimed(_logger, lease.JobId, lease.Attempt, lease.Items.Count(i => !i.Done));
        using var work = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var leaseLost = false;
        var renewal = RenewLeaseAsync(lease, () => { leaseLost = true; work.Cancel(); }, work.Token);
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _ingestion.CurrentValue.Parallelism, CancellationToken = work.Token };
            await Parallel.ForEachAsync(lease.Items.Where(i => !i.Done), parallel, async (item, ct) =>
            {
                var outcome = await ProcessItemAsync(lease, item, ct).ConfigureAwait(false);
                await _queue.RecordItemAsync(lease, item.Index, outcome, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);

            await _queue.CompleteAsync(lease, _model.ExecutionProvider, stoppingToken).ConfigureAwait(false);
            LogCompleted(_logger, lease.JobId);
        }
        catch (Exception ex) when (leaseLost || ex is JobLeaseLostException)
        {
            LogLeaseLost(_logger, lease.JobId);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: give the job back so the next start (or another worker) resumes it at once,
            // skipping the items already recorded. If this fails, the lease simply expires.
            LogInterrupted(_logger, lease.JobId);
            using var release = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _queue.ReleaseAsync(lease, release.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException)
            {
                LogLeaseLost(_logger, lease.JobId);
            }

            throw;
        }
        catch (Exception ex)
        {
            LogJobFailed(_logger, lease.JobId, ex);
            try
            {
                await _queue.FailAsync(lease, "The job failed unexpectedly; it will be retried.", stoppingToken).ConfigureAwait(false);
            }
            catch (JobLeaseLostException)
            {
                LogLeaseLost(_logger, lease.JobId);
            }
        }
        finally
        {
            await work.CancelAsync().ConfigureAwait(false);
            try
            {
                await renewal.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // expected: the renewal loop ends with the work
            }
        }
    }

    private async Task RenewLeaseAsync(JobLease lease, Action onLost, CancellationToken cancellationToken)
    {
        var duration = _worker.CurrentValue.LeaseDuration;
        using var timer = new PeriodicTimer(duration / 3);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await _queue.RenewAsync(lease, duration, cancellationToken).ConfigureAwait(false))
            {
                onLost();
                return;
            }
        }
    }

    private async Task<JobItemOutcome> ProcessItemAsync(JobLease lease, JobItemRef item, CancellationToken cancellationToken)
    {
        try
        {
            var content = item.HasContent
                ? await _queue.ReadItemContentAsync(lease.JobId, item.Index, cancellationToken).ConfigureAwait(false)
                : await _paths.ReadAsync(item.ServerPath!, cancellationToken).ConfigureAwait(false);
            if (content is null)
            {
                return JobItemOutcome.Failure("The uploaded content of this item is no longer available.");
            }

            var input = new DocumentInput(item.Source, item.Source, null, content, item.ContentType, lease.Acl, lease.Metadata);
            var result = await _ingestor.IngestAsync(lease.Tenant, input, cancellationToken).ConfigureAwait(false);
            AuditLog.Ingest(_audit, lease.Tenant, lease.SubmittedBy, result.DocumentId, result.Version, result.Unchanged);
            return JobItemOutcome.Success(result.DocumentId, result.Chunks, result.Unchanged ? 0 : result.Tokens);
        }
        catch (ValidationException ex)
        {
            return JobItemOutcome.Failure(ex.Message);
        }
        catch (IOException ex)
        {
            LogItemIoError(_logger, lease.JobId, ex);
            return JobItemOutcome.Failure("The file could not be read.");
        }
        catch (UnauthorizedAccessException)
        {
            return JobItemOutcome.Failure("The service may not read this file.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogItemFailed(_logger, lease.JobId, ex);
            return JobItemOutcome.Failure("Internal error while ingesting this document; see the service log.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion worker {WorkerId} started")]
    private static partial void LogStarted(ILogger logger, string workerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claimed job {JobId} (attempt {Attempt}, {Items} items to do)")]
    private static partial void LogClaimed(ILogger logger, string jobId, int attempt, int items);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} finished")]
    private static partial void LogCompleted(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: lease lost or job cancelled; stopped working on it")]
    private static partial void LogLeaseLost(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} interrupted by shutdown; released for the next start to resume")]
    private static partial void LogInterrupted(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} failed")]
    private static partial void LogJobFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: an item could not be read")]
    private static partial void LogItemIoError(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId}: unexpected error ingesting an item")]
    private static partial void LogItemFailed(ILogger logger, string jobId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingestion worker loop error")]
    private static partial void LogLoopError(ILogger logger, Exception exception);
}
