using Spectre.Console.Testing;

namespace Retrieval.Cli.Tests.Support;

public sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>Runs the real command tree with captured consoles, a fake environment and an injected handler.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(
        HttpMessageHandler? handler,
        IReadOnlyDictionary<string, string>? environment,
        CancellationToken cancellationToken,
        params string[] args)
    {
        var output = new TestConsole();
        output.Profile.Width = 250;
        var error = new TestConsole();
        error.Profile.Width = 1000;
        var context = new CliContext
        {
            Out = output,
            Error = error,
            CreateHandler = handler is null ? () => new SocketsHttpHandler() : () => handler,
            GetEnvironmentVariable = name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
            PollInterval = TimeSpan.Zero,
        };

        var exitCode = await CliApp.Create(context).RunAsync(args, cancellationToken);
        return new CliResult(exitCode, output.Output, error.Output);
    }

    public static Task<CliResult> RunAsync(HttpMessageHandler? handler, params string[] args) =>
        RunAsync(handler, null, CancellationToken.None, args);
}
