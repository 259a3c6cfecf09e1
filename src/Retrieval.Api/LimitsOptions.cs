using System.ComponentModel.DataAnnotations;

namespace Retrieval.Api;

/// <summary>Configuration section <c>Retrieval:Limits</c>: HTTP-level limits (document and query limits live in Ingestion/Query).</summary>
public sealed class LimitsOptions
{
    public const string Section = "Retrieval:Limits";

    /// <summary>Largest request body (uploads included), in bytes.</summary>
    [Range(1024, long.MaxValue)]
    public long MaxRequestBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Largest body of a search or ask request, in bytes.</summary>
    [Range(256, 10 * 1024 * 1024)]
    public int MaxQueryRequestBytes { get; set; } = 64 * 1024;

    /// <summary>Longest a request may run before it is cancelled with 504.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);
}
