using System.Globalization;
using Retrieval.Cli.Client;
using Spectre.Console;

namespace Retrieval.Cli.Ingest;

/// <summary>
/// Polls a job until it reaches a final state. At a terminal it shows a live progress bar; when output is
/// redirected it prints one plain line per change instead, so logs stay readable.
/// </summary>
public sealed class JobWatcher
{
    private readonly RetrievalClient client;
    private readonly TimeSpan pollInterval;

    public JobWatcher(RetrievalClient client, TimeSpan pollInterval)
    {
        this.client = client;
        this.pollInterval = pollInterval;
    }

    /// <summary>Waits without showing anything (for <c>--json</c>).</summary>
    public async Task<ApiResult<IngestJob>> WaitQuietlyAsync(string jobId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var job = await client.GetJobAsync(jobId, cancellationToken);
            if (job.Value.IsFinal)
            {
                return job;
            }

            await Task.Delay(pollInterval, cancellationToken);
        }
    }

    public Task<IngestJob> WaitAsync(string jobId, IAnsiConsole console, bool live, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(console);
        return live ? WaitLiveAsync(jobId, console, cancellationToken) : WaitWithLinesAsync(jobId, console, cancellationToken);
    }

    private async Task<IngestJob> WaitWithLinesAsync(string jobId, IAnsiConsole console, CancellationToken cancellationToken)
    {
        string? last = null;
        while (true)
        {
            var job = (await client.GetJobAsync(jobId, cancellationToken)).Value;
            var line = Describe(job);
            if (line != last)
            {
                console.WriteLine(line);
                last = line;
            }

            if (job.IsFinal)
            {
                return job;
            }

            await Task.Delay(pollInterval, cancellationToken);
        }
    }

    private Task<IngestJob> WaitLiveAsync(string jobId, IAnsiConsole console, CancellationToken cancellationToken) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask("queued", maxValue: 1);
                while (true)
                {
                    var job = (await client.GetJobAsync(jobId, cancellationToken)).Value;
                    var total = job.Documents?.Total ?? 0;
                    task.MaxValue = Math.Max(total, 1);
                    task.Value = Math.Min(job.DocumentsDone, task.MaxValue);
                    task.Description = Describe(job).EscapeMarkup();
                    if (job.IsFinal)
                    {
                        task.Value = task.MaxValue;
                        task.StopTask();
                        return job;
                    }

                    await Task.Delay(pollInterval, cancellationToken);
                }
            });

    /// <summary>"running: 3/10 documents, 120 chunks, 45000 tokens, 1 error".</summary>
    public static string Describe(IngestJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var total = job.Documents?.Total ?? 0;
        var errors = job.ErrorCount;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{job.State}: {job.DocumentsDone}/{total} documents, {job.Chunks} chunks, {job.Tokens} tokens, {errors} {(errors == 1 ? "error" : "errors")}");
    }
}
