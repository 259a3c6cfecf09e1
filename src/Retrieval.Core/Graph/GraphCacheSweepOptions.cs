using System.ComponentModel.DataAnnotations;

namespace Retrieval.Core.Graph;

/// <summary>
/// Configuration section <c>Retrieval:Graph:Llm:CacheSweep</c>: the periodic sweep that deletes LLM graph extraction
/// cache rows whose text no stored chunk holds (<see cref="GraphExtractionCacheSweeper"/>). It runs only with
/// <c>Retrieval:Graph:Extraction=llm</c>.
/// </summary>
public sealed class GraphCacheSweepOptions
{
    public const string Section = "Retrieval:Graph:Llm:CacheSweep";

    /// <summary>Run the sweep in this process (with <c>Retrieval:Graph:Extraction=llm</c>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between sweeps; the first runs at start-up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Age a row must reach (by the store's clock) before the sweep may delete it: an ingest writes its chunks' rows as
    /// the LLM answers, before it stores the document, and a document cut off by its deadline resumes from them on its
    /// next try within this time. At least <c>Retrieval:Ingestion:DocumentTimeout</c>, so an ingest in flight never
    /// loses its rows.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows deleted at most per write transaction (the sweep goes on batch by batch, releasing the write lock between them).</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 200;
}
