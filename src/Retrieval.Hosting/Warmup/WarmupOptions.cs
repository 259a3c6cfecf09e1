using System.ComponentModel.DataAnnotations;

namespace Retrieval.Hosting.Warmup;

/// <summary>
/// Configuration section <c>Retrieval:Warmup</c>: the bounded start-up work that runs before <c>/health/ready</c>
/// reports healthy, so a fresh process serves its first requests at speed (docs/operations.md, "Readiness and warm-up").
/// </summary>
public sealed class WarmupOptions
{
    public const string Section = "Retrieval:Warmup";

    /// <summary>Run the warm-up; off: the process is ready as soon as the stores are initialized.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Synthetic queries embedded and searched (through a filter that reads nothing) by the API; the worker embeds this
    /// many synthetic passages in batches. 0 leaves only the index loads.
    /// </summary>
    [Range(0, 5_000)]
    public int Queries { get; set; } = 64;

    /// <summary>The warm-up's time budget; past it, readiness passes with a warning and the process serves as it is.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);
}
