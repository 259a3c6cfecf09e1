using Spectre.Console;
using Spectre.Console.Cli;

namespace Retrieval.Cli.Infrastructure;

/// <summary>Turns every exception that leaves a command into one readable message and an exit code.</summary>
internal static class ErrorReporter
{
    public static int Report(IAnsiConsole error, Exception exception)
    {
        switch (exception)
        {
            case CliException cli:
                WriteError(error, cli.Message);
                return cli.ExitCode;

            case CommandAppException app:
                // Parse and validation errors: Spectre's own formatting points at the offending argument.
                if (app.Pretty is { } pretty)
                {
                    error.Write(pretty);
                }
                else
                {
                    WriteError(error, app.Message);
                }

                return ExitCodes.Usage;

            case OperationCanceledException:
                WriteError(error, "Interrupted.");
                return ExitCodes.Interrupted;

            default:
                WriteError(error, $"Unexpected error ({exception.GetType().Name}): {exception.Message}");
                return ExitCodes.Failure;
        }
    }

    public static void WriteError(IAnsiConsole error, string message)
    {
        error.MarkupLine($"[red]Error:[/] {message.EscapeMarkup()}");
    }
}
