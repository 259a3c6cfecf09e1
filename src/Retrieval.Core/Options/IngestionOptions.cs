using System.ComponentModel.DataAnnotations;

namespace Retrieval.Core.Options;

/// <summary>Configuration section <c>Retrieval:Ingestion</c>.</summary>
public sealed class IngestionOptions
{
    public const string Section = "Retrieval:Ingestion";

    /// <summary>Token budget of one chunk, in the embedding model's tokens (without [CLS]/[SEP]).</summary>
    [Range(32, 8192)]
    public int ChunkTokens { get; set; } = 256;

    /// <summary>Tokens of the previous chunk repeated at the start of the next (whole sentences, at most this many).</summary>
    [Range(0, 1024)]
    public int OverlapTokens { get; set; } = 32;

    /// <summary>Largest accepted document, in bytes of the original file.</summary>
    [Range(1, long.MaxValue)]
    public long MaxDocumentBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Largest parsed text of one document, in characters (protects against decompression bombs).</summary>
    [Range(1, int.MaxValue)]
    public int MaxDocumentChars { get; set; } = 20_000_000;

    /// <summary>Most items in one ingestion job.</summary>
    [Range(1, 1_000_000)]
    public int MaxJobItems { get; set; } = 10_000;

    /// <summary>Server-side folders a job may read from. Empty: server paths are refused.</summary>
    public IList<string> AllowedRoots { get; } = [];

    /// <summary>Documents processed concurrently by one worker.</summary>
    [Range(1, 64)]
    public int Parallelism { get; set; } = 2;

    /// <summary>Texts per embedding batch.</summary>
    [Range(1, 1024)]
    public int EmbeddingBatchSize { get; set; } = 32;

    /// <summary>Per-document wall-clock limit; a document that takes longer fails with a clear error.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan DocumentTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Per-document parse limit. A parse still running after it fails that document with a clear error and the worker
    /// moves on, even when a parsing library does not observe cancellation (its thread is then abandoned).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ParseTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Deepest element nesting of an HTML document, checked before parsing (tree building is quadratic in depth).</summary>
    [Range(16, 100_000)]
    public int MaxHtmlDepth { get; set; } = 2048;

    /// <summary>Most elements in an HTML document, counted before parsing (each costs DOM memory).</summary>
    [Range(1, int.MaxValue)]
    public int MaxHtmlElements { get; set; } = 500_000;

    /// <summary>Deepest nesting of a JSON (or JSON Lines record) document.</summary>
    [Range(1, 1_000)]
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Most entries (parts) in a DOCX archive.</summary>
    [Range(1, 1_000_000)]
    public int MaxArchiveEntries { get; set; } = 10_000;
}
