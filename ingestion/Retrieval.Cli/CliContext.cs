using Spectre.Console;

namespace Retrieval.Cli;

/// <summary>
/// Everything a command needs from the outside world, so tests can run the real command tree against a fake
/// HTTP handler, captured consoles and a fixed environment.
/// </summary>
public sealed class CliContext
{
    public const string DefaultUrl = "http://localhost:8080";
    public const string UrlVariable = "RETRIEVAL_URL";
    public const string TokenVariable = "RETRIEVAL_TOKEN";

    public required IAnsiConsole Out { get; init; }

    /// <summary>Diagnostics and errors; kept off stdout so <c>$(retrieval token …)</c> captures only the token.</summary>
    public required IAnsiConsole Error { get; init; }

    /// <summary>Creates the handler under each <see cref="Client.RetrievalClient"/>; the client disposes it.</summary>
    public Func<HttpMessageHandler> CreateHandler { get; init; } = CreateDefaultHandler;

    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Delay between two polls of a running ingestion job.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether stdout is a terminal that can show live progress (false when redirected).</summary>
    public bool IsInteractive => Out.Profile.Capabilities.Interactive && Out.Profile.Capabilities.Ansi;

    public static CliContext ForProcess()
    {
        return new CliContext
        {
            Out = CreateConsole(Console.Out, Console.IsOutputRedirected, redirectedWidth: 200),
            Error = CreateConsole(Console.Error, Console.IsErrorRedirected, redirectedWidth: 1000),
        };
    }

    private static IAnsiConsole CreateConsole(TextWriter writer, bool redirected, int redirectedWidth)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected)
        {
            // Scripts and logs read this output: avoid wrapping lines at the 80-column fallback width.
            console.Profile.Width = redirectedWidth;
        }

        return console;
    }

    private static SocketsHttpHandler CreateDefaultHandler() => new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };
}
