using Retrieval.Cli.Client;
using Retrieval.Cli.Infrastructure;
using Retrieval.Cli.Ingest;
using Retrieval.Cli.Settings;
using Spectre.Console;

namespace Retrieval.Cli.Commands;

/// <summary><c>retrieval jobs cancel</c>: a job that already finished is a 409 from the service, shown as an error.</summary>
public sealed class JobsCancelCommand : ServiceCommand<JobsCancelCommand.Settings>
{
    public JobsCancelCommand(CliContext context)
        : base(context)
    {
    }

    public sealed class Settings : JobIdSettings;

    protected override async Task<int> RunAsync(RetrievalClient client, Settings settings, CancellationToken cancellationToken)
    {
        var result = await client.CancelJobAsync(settings.Id, cancellationToken);
        if (settings.Json)
        {
            Out.WriteJson(result.Json);
        }
        else
        {
            Out.MarkupLine($"Job [bold]{result.Value.Id.EscapeMarkup()}[/] is now {JobView.StateMarkup(result.Value.State)}.");
        }

        return ExitCodes.Success;
    }
}
