using Retrieval.Cli.Client;
using Retrieval.Cli.Infrastructure;
using Retrieval.Cli.Settings;
using Spectre.Console;

namespace Retrieval.Cli.Commands;

/// <summary><c>retrieval health</c>: exit 0 when the service reports ready, 1 otherwise.</summary>
public sealed class HealthCommand : ServiceCommand<HealthCommand.Settings>
{
    public HealthCommand(CliContext context)
        : base(context)
    {
    }

    public sealed class Settings : ServiceSettings;

    protected override async Task<int> RunAsync(RetrievalClient client, Settings settings, CancellationToken cancellationToken)
    {
        var (ready, report) = await client.GetReadinessAsync(cancellationToken);
        if (settings.Json)
        {
            Out.WriteJson(report.Json);
        }
        else
        {
            var status = report.Value.Status ?? (ready ? "Healthy" : "Unhealthy");
            Out.MarkupLine($"{client.BaseAddress.ToString().EscapeMarkup()}: {(ready ? "[green]" : "[red]")}{status.EscapeMarkup()}[/]");
        }

        return ready ? ExitCodes.Success : ExitCodes.Failure;
    }
}
