using System.ComponentModel;
using System.Globalization;
using Retrieval.Cli.Client;
using Retrieval.Cli.Infrastructure;
using Retrieval.Cli.Ingest;
using Retrieval.Cli.Settings;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Retrieval.Cli.Commands;

/// <summary>
/// <c>retrieval ingest</c>: submits a job (multipart upload of local files, or server paths with
/// <c>--server</c>), then follows it to a final state. Ctrl+C stops only the waiting.
/// </summary>
public sealed class IngestCommand : ServiceCommand<IngestCommand.Settings>
{
    public IngestCommand(CliContext context)
        : base(context)
    {
    }

    public sealed class Settings : ServiceSettings
    {
        [CommandArgument(0, "<PATHS>")]
        [Description("Files and folders (folders are read recursively; hidden files and folders are skipped).")]
        public string[] Paths { get; set; } = [];

        [CommandOption("--acl <PRINCIPAL>")]
        [Description("Who may read the documents: group:<id>, user:<id> or public. Repeat for several.")]
        public string[] Acl { get; set; } = [];

        [CommandOption("--server")]
        [Description("The paths are on the service's machine (under its allowed roots): send them instead of uploading.")]
        public bool Server { get; set; }

        [CommandOption("--dry-run")]
        [Description("Only print what the job would cost (the LLM graph extraction estimate); queue nothing. Exits 1 when it is over the service's budget.")]
        public bool DryRun { get; set; }

        [CommandOption("--no-wait")]
        [Description("Print the job id and return without waiting for the job.")]
        public bool NoWait { get; set; }

        public override ValidationResult Validate()
        {
            if (Paths.Length == 0)
            {
                return ValidationResult.Error("Give at least one file or folder.");
            }

            if (Acl.Length == 0)
            {
                return ValidationResult.Error("Give at least one --acl principal (group:<id>, user:<id> or public): documents without readers cannot be found.");
            }

            foreach (var principal in Acl)
            {
                if (!IsPrincipal(principal))
                {
                    return ValidationResult.Error($"--acl '{principal}' is not a principal: use group:<id>, user:<id> or public.");
                }
            }

            if (Server && Paths.FirstOrDefault(p => !Path.IsPathFullyQualified(p)) is { } relative)
            {
                return ValidationResult.Error($"With --server every path must be absolute on the service's machine: '{relative}' is not.");
            }

            return base.Validate();
        }

        private static bool IsPrincipal(string value) =>
            value == "public"
            || (value.StartsWith("group:", StringComparison.Ordinal) && value.Length > "group:".Length)
            || (value.StartsWith("user:", StringComparison.Ordinal) && value.Length > "user:".Length);
    }

    protected override async Task<int> RunAsync(RetrievalClient client, Settings settings, CancellationToken cancellationToken)
    {
        // With --json stdout carries one JSON document only; progress and notes go to stderr.
        var info = settings.Json ? Context.Error : Out;
        var acl = settings.Acl.Distinct(StringComparer.Ordinal).ToArray();
        if (settings.DryRun)
        {
            return await EstimateAsync(client, settings, acl, info, cancellationToken);
        }

        var accepted = settings.Server
            ? await client.SubmitServerPathsAsync(settings.Paths, acl, cancellationToken)
            : await UploadAsync(client, settings.Paths, acl, info, cancellationToken);
        var jobId = accepted.Value.JobId;
        if (accepted.Value.GraphEstimate is { } estimate)
        {
            info.WriteLine(EstimateView.Describe(estimate));
        }

        if (settings.NoWait)
        {
            if (settings.Json)
            {
                Out.WriteJson(accepted.Json);
            }
            else
            {
                Out.MarkupLine($"Job [bold]{jobId.EscapeMarkup()}[/] queued. Follow it with `retrieval jobs show {jobId.EscapeMarkup()}`.");
            }

            return ExitCodes.Success;
        }

        info.MarkupLine($"Job [bold]{jobId.EscapeMarkup()}[/] queued; waiting for it to finish (Ctrl+C stops waiting, not the job).");
        var watcher = new JobWatcher(client, Context.PollInterval);
        IngestJob job;
        try
        {
            if (settings.Json)
            {
                var final = await watcher.WaitQuietlyAsync(jobId, cancellationToken);
                job = final.Value;
                Out.WriteJson(final.Json);
            }
            else
            {
                job = await watcher.WaitAsync(jobId, Out, Context.IsInteractive, cancellationToken);
                JobView.WriteSummary(Out, job);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Context.Error.MarkupLine(
                $"Stopped waiting. Job [bold]{jobId.EscapeMarkup()}[/] keeps running: follow it with `retrieval jobs show {jobId.EscapeMarkup()}`, "
                + $"cancel it with `retrieval jobs cancel {jobId.EscapeMarkup()}`.");
            return ExitCodes.Interrupted;
        }

        var (exitCode, message) = JobView.Outcome(job);
        if (exitCode == ExitCodes.Success)
        {
            info.MarkupLine($"[green]{message.EscapeMarkup()}[/]");
        }
        else
        {
            ErrorReporter.WriteError(Context.Error, message);
        }

        return exitCode;
    }

    private async Task<int> EstimateAsync(RetrievalClient client, Settings settings, string[] acl, IAnsiConsole info, CancellationToken cancellationToken)
    {
        var result = settings.Server
            ? await client.EstimateServerPathsAsync(settings.Paths, acl, cancellationToken)
            : await client.EstimateUploadAsync(Scan(settings.Paths, info), acl, cancellationToken);
        var estimate = result.Value.GraphEstimate;
        if (settings.Json)
        {
            Out.WriteJson(result.Json);
        }
        else
        {
            Out.WriteLine(estimate is null
                ? "Graph extraction of this job calls no LLM (Retrieval:Graph:Extraction is not 'llm'): no token cost. Nothing was queued."
                : EstimateView.Describe(estimate) + " Nothing was queued (dry run).");
        }

        if (estimate is { OverBudget: true })
        {
            ErrorReporter.WriteError(Context.Error, "The job is over the service's LLM token budget (Retrieval:Graph:Llm:MaxTokensPerJob); submitting it would be refused.");
            return ExitCodes.Failure;
        }

        return ExitCodes.Success;
    }

    private static IReadOnlyList<IngestFile> Scan(string[] paths, IAnsiConsole info)
    {
        var scan = IngestFileScanner.Scan(paths);
        if (scan.Skipped.Count > 0 || scan.HiddenFolders > 0)
        {
            info.MarkupLine(
                $"[grey]Skipped {scan.Skipped.Count} {Plural(scan.Skipped.Count, "file")} (unsupported type or hidden) "
                + $"and {scan.HiddenFolders} hidden {Plural(scan.HiddenFolders, "folder")}.[/]");
        }

        if (scan.Files.Count == 0)
        {
            throw new CliException(
                $"No supported files found in {string.Join(", ", paths)} (supported: {string.Join(' ', SupportedFiles.Extensions.Order(StringComparer.Ordinal))}).");
        }

        return scan.Files;
    }

    private async Task<ApiResult<JobAccepted>> UploadAsync(
        RetrievalClient client, string[] paths, string[] acl, IAnsiConsole info, CancellationToken cancellationToken)
    {
        var files = Scan(paths, info);
        var totalBytes = files.Sum(f => f.Length);
        var what = $"Uploading {files.Count} {Plural(files.Count, "file")} ({Size(totalBytes)})";
        if (!Context.IsInteractive || info != Out)
        {
            info.WriteLine(what + "…");
            return await client.UploadAsync(files, acl, cancellationToken);
        }

        return await Out.Status().StartAsync(what + "…", _ => client.UploadAsync(files, acl, cancellationToken));
    }

    private static string Plural(int count, string noun) => count == 1 ? noun : noun + "s";

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
    };
}
