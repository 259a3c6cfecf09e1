using Retrieval.Cli.Client;
using Retrieval.Cli.Infrastructure;
using Retrieval.Cli.Settings;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Retrieval.Cli.Commands;

/// <summary>A command that talks to the service: connects, runs, and leaves errors to <see cref="ErrorReporter"/>.</summary>
public abstract class ServiceCommand<TSettings> : AsyncCommand<TSettings>
    where TSettings : ServiceSettings
{
    protected ServiceCommand(CliContext context)
    {
        Context = context;
    }

    protected CliContext Context { get; }

    protected IAnsiConsole Out => Context.Out;

    public override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        using var client = ServiceConnection.Connect(Context, settings);
        return await RunAsync(client, settings, cancellationToken);
    }

    protected abstract Task<int> RunAsync(RetrievalClient client, TSettings settings, CancellationToken cancellationToken);
}
