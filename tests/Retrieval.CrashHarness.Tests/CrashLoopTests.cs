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
    /// <summary>Kill/restart cycles in CI; the full run is 1,000 (tests/Retrieval.CrashHarness/run-full.sh).</summary>
    public const int CiCycles = 12;

    private readonly ITestOutputHelper output;

    public CrashLoopTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public async Task Run_ShortCrashLoop_NoAcknowledgedWriteLostAndNoInvariantBroken()
    {
        var options = new HarnessOptions { Cycles = CiCycles, Seed = 20_251_126, Quiet = false };
        using var writer = new StringWriter();

        var result = await CrashRun.RunAsync(options, TextWriter.Synchronized(writer), CancellationToken.None);

        output.WriteLine(writer.ToString());
        output.WriteLine(result.Summary);
        Assert.True(result.Passed, result.Summary + "\n" + string.Join('\n', result.Findings));
        Assert.Equal(CiCycles, result.Kills);
        Assert.True(result.AcknowledgedWrites > 0, "no write was acknowledged: the run tested nothing");
        Assert.True(result.DocumentChecks > 0);
    }
}
