using Retrieval.Cli.Client;
using Retrieval.Cli.Infrastructure;
using Retrieval.Cli.Ingest;
using Retrieval.Cli.Settings;
using Spectre.Console;

namespace Retrieval.Cli.Commands;

public sealed class JobsListCommand : ServiceCommand<JobsListCommand.Settings>
{
    public JobsListCommand(CliContext context)
        : base(context)
    {
    }

    public sealed class Settings : ServiceSettings;

    protected override async Task<int> RunAsync(RetrievalClient client, Settings settings, CancellationToken cancellationToken)
    {
        var result = await client.ListJobsAsync(cancellationToken);
        if (settings.Json)
        {
            Out.WriteJson(result.Json);
        }
        else if (result.Value.Jobs.Count == 0)
        {
            Out.WriteLine("No ingestion jobs.");
        }
        else
        {
            JobView.WriteList(Out, result.Value.Jobs);
        }

        return ExitCodes.Success;
    }
}
