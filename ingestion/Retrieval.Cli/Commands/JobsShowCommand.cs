using Retrieval.Cli.Client;
using Retrieval.Cli.Infrastructure;
using Retrieval.Cli.Ingest;
using Retrieval.Cli.Settings;

namespace Retrieval.Cli.Commands;

public sealed class JobsShowCommand : ServiceCommand<JobsShowCommand.Settings>
{
    public JobsShowCommand(CliContext context)
        : base(context)
    {
    }

    public sealed class Settings : JobIdSettings;

    protected override async Task<int> RunAsync(RetrievalClient client, Settings settings, CancellationToken cancellationToken)
    {
        var result = await client.GetJobAsync(settings.Id, cancellationToken);
        if (settings.Json)
        {
            Out.WriteJson(result.Json);
        }
        else
        {
            JobView.WriteSummary(Out, result.Value);
        }

        return ExitCodes.Success;
    }
}
