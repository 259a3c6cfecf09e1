using System.Globalization;
using CsCheck;

namespace Retrieval.Storage.Conformance;

/// <summary>
/// Runs a CsCheck property as a reproducible sweep: case <c>i</c> is generated from a PCG derived from one run seed, so
/// CI runs the same cases every time, and the seed is logged. The first failing case is handed to CsCheck's
/// <see cref="Check.SampleAsync{T}(Gen{T}, Func{T, Task}, Action{string}?, string?, long, int, int, Func{T, string}?, ISampleLogger?)"/>
/// starting from that case's seed, which shrinks it and throws with the seed of the simplest failing case.
/// </summary>
/// <remarks>
/// CsCheck's own environment variables set the size of a run: <c>CsCheck_Seed</c> replaces the run seed (default
/// <see cref="DefaultSeed"/>) and <c>CsCheck_Iter</c> the number of cases (each property has its own CI default).
/// The worlds a property builds come from the run seed too, so a failure is reproduced by rerunning with the same run
/// seed: the sweep reaches the same failing case and shrinks it again (the log names the case's index and seed).
/// </remarks>
public static class PropertyRun
{
    /// <summary>The fixed run seed of CI runs (a CsCheck PCG seed).</summary>
    public const string DefaultSeed = "0000001dfUa7";

    public static string Seed =>
        Environment.GetEnvironmentVariable("CsCheck_Seed") is { Length: > 0 } seed ? seed : DefaultSeed;

    /// <summary>The number of cases: <c>CsCheck_Iter</c> when set, else <paramref name="ciDefault"/>.</summary>
    public static int Cases(int ciDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable("CsCheck_Iter"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var iter) && iter > 0
            ? iter
            : ciDefault;

    /// <summary>A deterministic stream of generators' seeds from <paramref name="seed"/>.</summary>
    public static PCG Master(string seed) => PCG.Parse(seed);

    /// <summary>Generates one value from the next seed of <paramref name="master"/>; returns the value and its seed.</summary>
    public static (T Value, string Seed) Next<T>(this Gen<T> gen, PCG master)
    {
        ArgumentNullException.ThrowIfNull(gen);
        ArgumentNullException.ThrowIfNull(master);
        var pcg = new PCG(master.Stream, master.Next64());
        var seed = pcg.ToString();
        return (gen.Generate(pcg, null, out _), seed);
    }

    /// <summary>
    /// Runs <paramref name="cases"/> cases of <paramref name="gen"/> from <paramref name="master"/> through
    /// <paramref name="assert"/>; on the first failure, shrinks it with CsCheck (up to <paramref name="shrinkIterations"/>
    /// further cases) and throws. Returns the number of cases run.
    /// </summary>
    public static async Task<int> SweepAsync<T>(
        Gen<T> gen, PCG master, int cases, Func<T, Task> assert, Func<T, string> print, Action<string> log, int shrinkIterations = 300)
    {
        ArgumentNullException.ThrowIfNull(assert);
        ArgumentNullException.ThrowIfNull(print);
        ArgumentNullException.ThrowIfNull(log);
        for (var i = 0; i < cases; i++)
        {
            var (value, seed) = gen.Next(master);
            try
            {
                await assert(value);
            }
#pragma warning disable CA1031 // any failure of the property is shrunk and rethrown below
            catch (Exception first)
#pragma warning restore CA1031
            {
                log($"case {i} (seed {seed}) failed: {print(value)}\n{first.Message}\nshrinking…");
                await gen.SampleAsync(assert, writeLine: log, seed: seed, iter: shrinkIterations, threads: 1, print: print);
                throw new InvalidOperationException(
                    $"Case {i} (seed {seed}) failed but did not fail again when replayed (non-deterministic?): {print(value)}", first);
            }
        }

        return cases;
    }
}
