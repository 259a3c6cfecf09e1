using System.Globalization;
using Retrieval.Cli.Client;
using Spectre.Console;

namespace Retrieval.Cli.Ingest;

/// <summary>How a job is shown (ingest summary, <c>jobs show</c>) and what its outcome means as an exit code.</summary>
public static class JobView
{
    public static void WriteSummary(IAnsiConsole console, IngestJob job)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(job);
        var documents = job.Documents ?? new JobDocumentCounts(0, 0, 0);
        var table = new Table().HideHeaders().AddColumn("field").AddColumn("value");
        table.AddRow("job", job.Id);
        table.AddRow(new Text("state"), new Markup(StateMarkup(job.State)));
        table.AddRow("documents", $"{documents.Succeeded} succeeded, {documents.Failed} failed, {documents.Total} total");
        table.AddRow("chunks", job.Chunks.ToString(CultureInfo.InvariantCulture));
        table.AddRow("tokens", job.Tokens.ToString(CultureInfo.InvariantCulture));
        table.AddRow("attempts", job.Attempts.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(job.LastError))
        {
            table.AddRow("last error", Markup.Escape(job.LastError));
        }

        if (!string.IsNullOrEmpty(job.ExecutionProvider))
        {
            table.AddRow("execution provider", job.ExecutionProvider);
        }

        table.AddRow("created", Time(job.CreatedAt));
        table.AddRow("started", Time(job.StartedAt));
        table.AddRow("finished", Time(job.FinishedAt));
        if (job is { StartedAt: { } started, FinishedAt: { } finished })
        {
            table.AddRow("duration", Duration(finished - started));
        }

        console.Write(table);
        WriteErrors(console, job);
    }

    public static void WriteErrors(IAnsiConsole console, IngestJob job)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(job);
        if (job.Errors is not { Count: > 0 } errors)
        {
            return;
        }

        var table = new Table().Title("Errors").AddColumn("document").AddColumn("error");
        foreach (var error in errors)
        {
            table.AddRow(new Text(error.Source ?? "(job)"), new Text(error.Message ?? string.Empty));
        }

        console.Write(table);
    }

    public static void WriteList(IAnsiConsole console, IReadOnlyList<IngestJob> jobs)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(jobs);
        var table = new Table().AddColumns("job", "state", "documents", "failed", "chunks", "tokens", "created", "finished");
        foreach (var job in jobs)
        {
            var documents = job.Documents ?? new JobDocumentCounts(0, 0, 0);
            table.AddRow(
                new Text(job.Id),
                new Markup(StateMarkup(job.State)),
                new Text($"{job.DocumentsDone}/{documents.Total}"),
                new Text(documents.Failed.ToString(CultureInfo.InvariantCulture)),
                new Text(job.Chunks.ToString(CultureInfo.InvariantCulture)),
                new Text(job.Tokens.ToString(CultureInfo.InvariantCulture)),
                new Text(Time(job.CreatedAt)),
                new Text(Time(job.FinishedAt)));
        }

        console.Write(table);
    }

    /// <summary>0 only when the job succeeded and no document failed; the message says which case it is.</summary>
    public static (int ExitCode, string Message) Outcome(IngestJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var documents = job.Documents ?? new JobDocumentCounts(0, 0, 0);
        return job.State switch
        {
            JobStates.Succeeded when documents.Failed == 0 =>
                (ExitCodes.Success, $"Job {job.Id} succeeded: {documents.Succeeded} documents, {job.Chunks} chunks, {job.Tokens} tokens."),
            JobStates.Succeeded =>
                (ExitCodes.Failure, $"Job {job.Id} finished, but {documents.Failed} of {documents.Total} documents failed (see the errors above)."),
            JobStates.Cancelled =>
                (ExitCodes.Failure, $"Job {job.Id} was cancelled after {job.DocumentsDone} of {documents.Total} documents."),
            _ =>
                (ExitCodes.Failure, $"Job {job.Id} {job.State}: {documents.Failed} of {documents.Total} documents failed (see the errors above)."),
        };
    }

    public static string StateMarkup(string? state) => state switch
    {
        JobStates.Succeeded => "[green]succeeded[/]",
        JobStates.Failed => "[red]failed[/]",
        JobStates.Cancelled => "[yellow]cancelled[/]",
        JobStates.Running => "[blue]running[/]",
        _ => (state ?? "unknown").EscapeMarkup(),
    };

    private static string Time(DateTimeOffset? value) =>
        value?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";

    private static string Duration(TimeSpan value) =>
        value.TotalSeconds < 60
            ? $"{value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s"
            : value.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);
}
