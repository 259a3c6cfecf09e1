using System.Globalization;

namespace Retrieval.CrashHarness;

/// <summary>Settings of one harness run; every one has a command-line option (see <see cref="Usage"/>).</summary>
internal sealed record HarnessOptions
{
    public const string Usage =
        """
        Retrieval.CrashHarness: SIGKILLs the API at random moments while clients ingest, and checks the store after every kill.

          --cycles N           kill/restart cycles (default 20)
          --seed N             RNG seed (default: random; always printed, rerun with it to repeat a run's choices)
          --clients N          concurrent ingesting clients, each its own identity (default 4)
          --min-uptime-ms N    shortest time from the cycle's first acknowledged write to the kill (default 0)
          --max-uptime-ms N    longest time from the cycle's first acknowledged write to the kill (default 2500)
          --startup-kill-rate F share of cycles killed during start-up, before the service is ready (default 0.1)
          --sample N           older acknowledged documents re-checked through the API each cycle (default 4)
          --max-paragraphs N   paragraphs per document, each with a marker word (default 3)
          --max-job-files N    files per ingestion job (default 2)
          --work-dir PATH      data directory (default: a new temp directory; kept when the run fails or with --keep)
          --api PATH           Retrieval.Api.dll to run (default: the one built next to the harness)
          --keep               keep the work directory after a successful run
          --quiet              print only the summary and findings
        """;

    public int Cycles { get; init; } = 20;

    public int Seed { get; init; } = Random.Shared.Next();

    public int Clients { get; init; } = 4;

    public int MinUptimeMs { get; init; }

    public int MaxUptimeMs { get; init; } = 2500;

    public double StartupKillRate { get; init; } = 0.1;

    public int Sample { get; init; } = 4;

    public int MaxParagraphs { get; init; } = 3;

    public int MaxJobFiles { get; init; } = 2;

    public string? WorkDirectory { get; init; }

    public string? ApiDll { get; init; }

    public bool Keep { get; init; }

    public bool Quiet { get; init; }

    /// <summary>How long one start may take before the run is abandoned as broken (model load on a loaded 2-core machine).</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long the final drain waits for every acknowledged job to finish once the kills stop.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(180);

    public static HarnessOptions Parse(IReadOnlyList<string> args)
    {
        var options = new HarnessOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new HarnessException($"{name} needs a value.\n\n{Usage}");
            int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
                ? n
                : throw new HarnessException($"{name} needs a non-negative integer.");

            options = name switch
            {
                "--cycles" => options with { Cycles = Int() },
                "--seed" => options with { Seed = Int() },
                "--clients" => options with { Clients = Math.Max(1, Int()) },
                "--min-uptime-ms" => options with { MinUptimeMs = Int() },
                "--max-uptime-ms" => options with { MaxUptimeMs = Int() },
                "--startup-kill-rate" => options with { StartupKillRate = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--sample" => options with { Sample = Int() },
                "--max-paragraphs" => options with { MaxParagraphs = Math.Max(1, Int()) },
                "--max-job-files" => options with { MaxJobFiles = Math.Max(1, Int()) },
                "--work-dir" => options with { WorkDirectory = Value() },
                "--api" => options with { ApiDll = Value() },
                "--keep" => options with { Keep = true },
                "--quiet" => options with { Quiet = true },
                _ => throw new HarnessException($"Unknown option '{name}'.\n\n{Usage}"),
            };
        }

        if (options.MaxUptimeMs < options.MinUptimeMs)
        {
            throw new HarnessException("--max-uptime-ms must not be below --min-uptime-ms.");
        }

        return options;
    }
}
