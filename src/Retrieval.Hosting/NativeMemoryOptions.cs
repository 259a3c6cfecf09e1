using System.ComponentModel.DataAnnotations;

namespace Retrieval.Hosting;

/// <summary>Configuration section <c>Retrieval:Memory</c>: how the process hands freed native memory back to the OS.</summary>
public sealed class NativeMemoryOptions
{
    public const string Section = "Retrieval:Memory";

    /// <summary>
    /// Seconds between calls of glibc's <c>malloc_trim(0)</c> (Linux with glibc only), which returns the free pages of
    /// every C-heap arena to the OS; 0 turns it off. ONNX Runtime, SQLite and the runtime's native parts allocate from
    /// the C heap on many threads, and glibc keeps what they free in per-thread arenas, so without it the resident set
    /// only grows to the high-water mark of every arena. See docs/performance.md, "Soak".
    /// </summary>
    [Range(0, 86_400)]
    public int TrimIntervalSeconds { get; set; }
}
