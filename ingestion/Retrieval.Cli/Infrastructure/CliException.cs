namespace Retrieval.Cli.Infrastructure;

/// <summary>
/// A failure the user can act on. Its message is printed as is (no stack trace) and the process exits with
/// <see cref="ExitCode"/>.
/// </summary>
public class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CliException(string message, int exitCode, Exception? innerException = null)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; } = ExitCodes.Failure;
}
