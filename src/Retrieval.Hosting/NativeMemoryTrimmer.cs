using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Diagnostics;

namespace Retrieval.Hosting;

/// <summary>
/// Calls glibc's <c>malloc_trim(0)</c> every <see cref="NativeMemoryOptions.TrimIntervalSeconds"/> and records how much
/// anonymous resident memory it gave back (<c>RssAnon</c> of <c>/proc/self/status</c> before and after) in the
/// <c>retrieval.memory.trim.released</c> counter. Off by default; where the C library is not glibc (musl, macOS,
/// Windows) it logs that once and stops.
/// </summary>
internal sealed partial class NativeMemoryTrimmer(IOptions<NativeMemoryOptions> options, ILogger<NativeMemoryTrimmer> logger) : BackgroundService
{
    private static readonly Counter<long> Released = RetrievalTelemetry.Meter.CreateCounter<long>(
        "retrieval.memory.trim.released", "By", "Anonymous resident memory that malloc_trim returned to the OS (RssAnon before minus after).");

    private static readonly Counter<long> Trims = RetrievalTelemetry.Meter.CreateCounter<long>(
        "retrieval.memory.trims", null, "Calls of malloc_trim by the native memory trimmer.");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.TrimIntervalSeconds;
        if (interval <= 0)
        {
            return;
        }

        if (!IsAvailable())
        {
            Log.Unavailable(logger, NativeMemoryOptions.Section + ":TrimIntervalSeconds");
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(interval));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var released = TrimOnce();
            Log.Trimmed(logger, released / (1024.0 * 1024.0));
        }
    }

    /// <summary>True on Linux where the C library exports <c>malloc_trim</c> (glibc).</summary>
    internal static bool IsAvailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        // Looks the symbol up without calling it (a call would already trim).
        if (!NativeLibrary.TryLoad(NativeMethods.Libc, out var libc))
        {
            return false;
        }

        try
        {
            return NativeLibrary.TryGetExport(libc, "malloc_trim", out _);
        }
        finally
        {
            NativeLibrary.Free(libc);
        }
    }

    /// <summary>Trims every arena once and returns the bytes of anonymous resident memory released (never negative).</summary>
    internal static long TrimOnce()
    {
        var before = ReadRssAnonBytes();
        _ = NativeMethods.MallocTrim(0);
        var after = ReadRssAnonBytes();
        var released = Math.Max(0, before - after);
        Trims.Add(1);
        Released.Add(released);
        return released;
    }

    /// <summary>RssAnon of this process in bytes, 0 when the kernel does not report it.</summary>
    internal static long ReadRssAnonBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                return long.Parse(line["RssAnon:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Setting} is set but this C library has no malloc_trim (glibc only); native memory is not trimmed")]
        public static partial void Unavailable(ILogger logger, string setting);

        [LoggerMessage(Level = LogLevel.Debug, Message = "malloc_trim released {ReleasedMiB:F1} MiB of anonymous resident memory")]
        public static partial void Trimmed(ILogger logger, double releasedMiB);
    }

    private static class NativeMethods
    {
        // glibc's soname; "libc" alone would resolve to the libc.so linker script on machines with libc6-dev.
        public const string Libc = "libc.so.6";

        [DllImport(Libc, EntryPoint = "malloc_trim", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int MallocTrim(nuint pad);
    }
}
