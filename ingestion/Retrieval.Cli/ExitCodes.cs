namespace Retrieval.Cli;

/// <summary>Process exit codes, documented in docs/cli.md.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The service refused or failed the request, a job failed, or a local precondition failed.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself was wrong (unknown option, missing argument, invalid value).</summary>
    public const int Usage = 2;

    /// <summary>Interrupted with Ctrl+C.</summary>
    public const int Interrupted = 130;
}
