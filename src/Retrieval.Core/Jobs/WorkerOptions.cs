using System.ComponentModel.DataAnnotations;

namespace Retrieval.Core.Jobs;

/// <summary>Configuration section <c>Retrieval:Worker</c>.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Retrieval:Worker";

    /// <summary>Run the ingestion worker inside this process (the embedded default).</summary>
    public bool Enabled { get; set; } = true;

    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
