using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Retrieval.Core.Graph;

/// <summary>
/// With <c>Retrieval:Graph:Extraction=llm</c>, deletes every <see cref="GraphCacheSweepOptions.Interval"/> (and once at
/// start-up) the LLM graph extraction cache rows whose text no chunk of their tenant holds and that are older than
/// <see cref="GraphCacheSweepOptions.GracePeriod"/>: rows of documents whose ingest failed after extraction (timed out,
/// cancelled, or the process died before the upsert). A run walks the whole table in key order, deleting at most
/// <see cref="GraphCacheSweepOptions.BatchSize"/> rows per write transaction; rows written behind its position go with
/// the next run. Deleting a row whose text an ingest is storing at that moment only costs that text an LLM request on
/// a later re-extraction; it never loses a graph.
/// </summary>
public sealed partial class GraphExtractionCacheSweeper : BackgroundService
{
    private readonly IGraphExtractionCache _cache;
    private readonly IOptionsMonitor<GraphCacheSweepOptions> _options;
    private readonly IOptionsMonitor<GraphOptions> _graph;
    private readonly ILogger<GraphExtractionCacheSweeper> _logger;

    public GraphExtractionCacheSweeper(
        IGraphExtractionCache cache,
        IOptionsMonitor<GraphCacheSweepOptions> options,
        IOptionsMonitor<GraphOptions> graph,
        ILogger<GraphExtractionCacheSweeper> logger)
    {
        _cache = cache;
        _options = options;
        _graph = graph;
        _logger = logger;
    }

    /// <summary>True when this process sweeps: LLM extraction is configured and the sweep is enabled.</summary>
    public bool Active => _graph.CurrentValue.Extraction == GraphOptions.LlmExtraction && _options.CurrentValue.Enabled;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Active)
        {
            return;
        }

        await Task.Yield(); // start-up goes on; the first sweep runs beside it
        using var timer = new PeriodicTimer(_options.CurrentValue.Interval);
        do
        {
            try
            {
                await SweepOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.Failed(_logger, ex); // the next run tries again
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One full sweep; returns the number of rows deleted.</summary>
    public async Task<long> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        long deleted = 0;
        var batches = 0;
        var after = string.Empty;
        while (true)
        {
            var batch = await _cache.PurgeOrphansAsync(options.GracePeriod, after, options.BatchSize, cancellationToken).ConfigureAwait(false);
            batches++;
            if (batch.Deleted > 0)
            {
                deleted += batch.Deleted;
                GraphTelemetry.ExtractionCachePurged.Add(batch.Deleted, new KeyValuePair<string, object?>("reason", "sweep"));
            }

            if (batch.NextKey is null)
            {
                break;
            }

            after = batch.NextKey;
        }

        if (deleted > 0)
        {
            Log.Swept(_logger, deleted, batches, options.GracePeriod);
        }

        return deleted;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "LLM graph extraction cache sweep deleted {Rows} rows older than {GracePeriod} whose text no stored chunk holds ({Batches} batches)")]
        public static partial void Swept(ILogger logger, long rows, int batches, TimeSpan gracePeriod);

        [LoggerMessage(2, LogLevel.Warning, "LLM graph extraction cache sweep failed; the next run tries again")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
