using Retrieval.CrashHarness;
using Xunit.Abstractions;

namespace Retrieval.CrashHarness.Tests;

/// <summary>
/// The short CI version of the crash-durability run (docs/operations.md, "Crash durability"): the real API in its own
/// process, SIGKILLed at random moments while four clients ingest, the store checked after every kill. The seed is
/// fixed so that CI repeats the same choices (the kill moments still fall differently against the work in flight).
/// </summary>
public sealed class CrashLoopTests
{
    /// <summary>
    /// Kill/restart cycles in CI (RETRIEVAL_CRASH_CYCLES overrides it); the full run is 1,000
    /// (tests/Retrieval.CrashHarness/run-full.sh). Each cycle costs a start of the API, which loads the embedding model:
    /// 1.6–13 s on the shared 2-core development machine depending on its load, so 20 cycles would take minutes.
    /// </summary>
    public const int DefaultCiCycles = 8;

    private readonly ITestOutputHelper output;

    public CrashLoopTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public async Task Run_ShortCrashLoop_NoAcknowledgedWriteLostAndNoInvariantBroken()
    {
        var cycles = int.TryParse(Environment.GetEnvironmentVariable("RETRIEVAL_CRASH_CYCLES"), out var configured) && configured > 0 ? configured : DefaultCiCycles;
        var options = new HarnessOptions { Cycles = cycles, Seed = 20_251_126, MaxUptimeMs = 1500 };
        using var writer = new StringWriter();

        var result = await CrashRun.RunAsync(options, TextWriter.Synchronized(writer), CancellationToken.None);

        output.WriteLine(writer.ToString());
        output.WriteLine(result.Summary);
        Assert.True(result.Passed, result.Summary + "\n" + string.Join('\n', result.Findings));
        Assert.Equal(cycles, result.Kills);
        Assert.True(result.AcknowledgedWrites > 0, "no write was acknowledged: the run tested nothing");
        Assert.True(result.DocumentChecks > 0);
    }
}
