using System.Diagnostics.Metrics;
using Retrieval.Core.Diagnostics;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Jobs;

namespace Retrieval.Ingestion.Worker;

/// <summary>
/// The worker's own metrics on the "Retrieval" meter: <c>retrieval.worker.info</c> (1, tagged with the embedding
/// model and the execution provider actually in use, CPU or CUDA), <c>retrieval.jobs.pending</c> (queued or running
/// jobs in the whole queue, sampled every <see cref="SampleInterval"/>), and <c>retrieval.worker.documents_per_second</c>
/// / <c>retrieval.worker.tokens_per_second</c> (this process's ingestion throughput over the last interval, from the
/// pipeline's own counters). Each sample is also logged, so throughput is visible without a metrics backend.
/// </summary>
internal sealed partial class WorkerMetrics : BackgroundService
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(15);

    private readonly IJobQueue _queue;
    private readonly IEmbeddingModelInfo _model;
    private readonly ILogger<WorkerMetrics> _logger;
    private readonly MeterListener _listener = new();
    private long _documents;
    private long _tokens;
    private int _pending;
    private double _documentsPerSecond;
    private double _tokensPerSecond;

    public WorkerMetrics(IJobQueue queue, IEmbeddingModelInfo model, ILogger<WorkerMetrics> logger)
    {
        _queue = queue;
        _model = model;
        _logger = logger;
        var meter = RetrievalTelemetry.Meter;
        meter.CreateObservableGauge("retrieval.worker.info", () => new Measurement<int>(
            1,
            new KeyValuePair<string, object?>("model", _model.ModelId),
            new KeyValuePair<string, object?>("execution_provider", _model.ExecutionProvider)),
            description: "This worker's embedding model and execution provider (CPU or CUDA).");
        meter.CreateObservableGauge("retrieval.jobs.pending", () => Volatile.Read(ref _pending),
            description: "Queued or running ingestion jobs in the queue.");
        meter.CreateObservableGauge("retrieval.worker.documents_per_second", () => Volatile.Read(ref _documentsPerSecond),
            unit: "{document}/s", description: "Documents this worker ingested per second over the last sample interval.");
        meter.CreateObservableGauge("retrieval.worker.tokens_per_second", () => Volatile.Read(ref _tokensPerSecond),
            unit: "{token}/s", description: "Tokens this worker embedded per second over the last sample interval.");

        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == RetrievalTelemetry.Meter
                && instrument.Name is "retrieval.ingest.documents" or "retrieval.ingest.tokens")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "retrieval.ingest.documents")
            {
                Interlocked.Add(ref _documents, value);
            }
            else
            {
                Interlocked.Add(ref _tokens, value);
            }
        });
        _listener.Start();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(_logger, _model.ModelId, _model.ExecutionProvider);
        using var timer = new PeriodicTimer(SampleInterval);
        var last = (Documents: 0L, Tokens: 0L, At: TimeProvider.System.GetTimestamp());
        try
        {
            do
            {
                try
                {
                    Volatile.Write(ref _pending, await _queue.CountPendingAsync(stoppingToken));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogQueueUnreachable(_logger, ex);
                }

                var now = (Documents: Interlocked.Read(ref _documents), Tokens: Interlocked.Read(ref _tokens), At: TimeProvider.System.GetTimestamp());
                var seconds = TimeProvider.System.GetElapsedTime(last.At, now.At).TotalSeconds;
                if (seconds > 0)
                {
                    Volatile.Write(ref _documentsPerSecond, (now.Documents - last.Documents) / seconds);
                    Volatile.Write(ref _tokensPerSecond, (now.Tokens - last.Tokens) / seconds);
                }

                if (now.Documents != last.Documents)
                {
                    LogSample(_logger, _documentsPerSecond, _tokensPerSecond, _pending, _model.ExecutionProvider);
                }

                last = now;
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    public override void Dispose()
    {
        _listener.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker metrics: model {Model}, execution provider {ExecutionProvider}")]
    private static partial void LogStarted(ILogger logger, string model, string executionProvider);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker throughput: {DocumentsPerSecond:F2} documents/s, {TokensPerSecond:F0} tokens/s; {Pending} jobs pending; {ExecutionProvider}")]
    private static partial void LogSample(ILogger logger, double documentsPerSecond, double tokensPerSecond, int pending, string executionProvider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not count pending jobs")]
    private static partial void LogQueueUnreachable(ILogger logger, Exception exception);
}
