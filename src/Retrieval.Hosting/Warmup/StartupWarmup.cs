using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Diagnostics;

namespace Retrieval.Hosting.Warmup;

/// <summary>
/// Runs the <see cref="IWarmupStep"/>s once at start-up, after the stores are initialized and while the server already
/// answers (liveness passes, readiness says "warming"), within <see cref="WarmupOptions.Timeout"/>. A step that throws or
/// overruns ends the warm-up with a warning and readiness passes anyway: a cold process is slower, not broken.
/// </summary>
internal sealed partial class StartupWarmup(
    IEnumerable<IWarmupStep> steps, WarmupState state, IOptions<WarmupOptions> options, ILogger<StartupWarmup> logger) : BackgroundService
{
    private static readonly Histogram<double> Duration = RetrievalTelemetry.Meter.CreateHistogram<double>(
        "retrieval.warmup.duration", "ms", "Time the start-up warm-up took, by outcome (completed, timed_out, failed).");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        // Hosted services start one after another before the server listens: return from start-up at once.
        await Task.Yield();
        var started = Stopwatch.GetTimestamp();
        var done = new List<string>();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        budget.CancelAfter(settings.Timeout);
        var outcome = WarmupOutcome.Failed;
        try
        {
            // WaitAsync: a step that ignores cancellation (a native call) still cannot hold readiness past the budget.
            await RunStepsAsync(done, budget.Token).WaitAsync(settings.Timeout, stoppingToken).ConfigureAwait(false);
            outcome = WarmupOutcome.Completed;
            Log.Completed(logger, Elapsed(started), string.Join("; ", done));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return; // shutting down
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            await budget.CancelAsync().ConfigureAwait(false);
            outcome = WarmupOutcome.TimedOut;
            Log.TimedOut(logger, settings.Timeout.TotalSeconds, state.Step, WarmupOptions.Section + ":Timeout", Done(done));
        }
        catch (Exception ex)
        {
            outcome = WarmupOutcome.Failed;
            Log.Failed(logger, ex, state.Step, Done(done));
        }
        finally
        {
            if (!stoppingToken.IsCancellationRequested || outcome == WarmupOutcome.Completed)
            {
                var ms = Elapsed(started);
                Duration.Record(ms, new KeyValuePair<string, object?>("outcome", Tag(outcome)));
                state.Finish(outcome, ms);
            }
        }
    }

    private async Task RunStepsAsync(List<string> done, CancellationToken cancellationToken)
    {
        foreach (var step in steps)
        {
            state.Step = step.Name;
            var watch = Stopwatch.StartNew();
            var what = await step.RunAsync(cancellationToken).ConfigureAwait(false);
            lock (done)
            {
                done.Add($"{step.Name}: {what} ({watch.Elapsed.TotalMilliseconds:F0} ms)");
            }
        }
    }

    private static string Done(List<string> done)
    {
        lock (done)
        {
            return done.Count == 0 ? "nothing" : string.Join("; ", done);
        }
    }

    private static double Elapsed(long started) => Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private static string Tag(WarmupOutcome outcome) => outcome switch
    {
        WarmupOutcome.Completed => "completed",
        WarmupOutcome.TimedOut => "timed_out",
        _ => "failed",
    };

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Warm-up done in {ElapsedMs:F0} ms: {Done}")]
        public static partial void Completed(ILogger logger, double elapsedMs, string done);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Warm-up stopped at its {TimeoutSeconds} s budget during {Step} ({Setting}); ready and serving cold. Done before: {Done}")]
        public static partial void TimedOut(ILogger logger, double timeoutSeconds, string step, string setting, string done);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Warm-up failed during {Step}; ready and serving cold. Done before: {Done}")]
        public static partial void Failed(ILogger logger, Exception exception, string step, string done);
    }
}
