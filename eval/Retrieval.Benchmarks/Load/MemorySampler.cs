using System.Globalization;

namespace Retrieval.Benchmarks.Load;

/// <summary>
/// One reading of the service process's memory; NaN where the source was not available. The resident set is split as
/// the kernel counts it: anonymous pages (the GC heap, the C heap of native libraries, thread stacks: memory only the
/// process holds), file-backed pages (the SQLite file, the model, assemblies and native libraries mapped in: page
/// cache the kernel can drop and re-read) and shared memory.
/// </summary>
internal sealed record MemorySample(
    double RssMiB, double GcHeapMiB, double WorkingSetMiB, double GcCommittedMiB, double RssAnonMiB = double.NaN, double RssFileMiB = double.NaN, double RssShmemMiB = double.NaN)
{
    /// <summary>Anonymous resident memory outside the GC's committed memory: an estimate of native (C heap, stacks) memory.</summary>
    public double NativeAnonMiB => RssAnonMiB - GcCommittedMiB;
}

/// <summary>
/// Reads the service's memory: resident set size from <c>/proc/&lt;pid&gt;/status</c> (when a pid is given) and the
/// .NET runtime metrics from the Prometheus <c>/metrics</c> endpoint (GC heap after the last collection, summed over
/// generations; the runtime's working set; committed GC memory).
/// </summary>
internal sealed class MemorySampler(HttpClient http, int? pid)
{
    public async Task<MemorySample> SampleAsync(CancellationToken cancellationToken)
    {
        var status = new ProcStatus(double.NaN, double.NaN, double.NaN, double.NaN);
        if (pid is { } id && File.Exists($"/proc/{id}/status"))
        {
            try
            {
                status = ProcStatus.Parse(await File.ReadAllTextAsync($"/proc/{id}/status", cancellationToken));
            }
            catch (IOException)
            {
                // The process ended between the check and the read.
            }
        }

        double heap = double.NaN, workingSet = double.NaN, committed = double.NaN;
        try
        {
            using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative), cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                heap = Sum(text, "dotnet_gc_last_collection_heap_size_bytes", "process_runtime_dotnet_gc_heap_size_bytes");
                workingSet = Sum(text, "dotnet_process_memory_working_set_bytes", "process_working_set_bytes");
                committed = Sum(text, "dotnet_gc_last_collection_memory_committed_size_bytes", "process_runtime_dotnet_gc_committed_memory_size_bytes");
            }
        }
        catch (HttpRequestException)
        {
            // The service is busy or gone: the sample keeps NaN for the metrics.
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The scrape timed out.
        }

        return new MemorySample(
            status.RssMiB, heap / (1024 * 1024), workingSet / (1024 * 1024), committed / (1024 * 1024), status.RssAnonMiB, status.RssFileMiB, status.RssShmemMiB);
    }

    /// <summary>The sum of every series of the first metric name present (in MiB-able bytes), NaN when none is.</summary>
    internal static double Sum(string exposition, params string[] names)
    {
        foreach (var name in names)
        {
            var total = 0.0;
            var found = false;
            foreach (var line in exposition.Split('\n'))
            {
                if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is '{' or ' ')
                {
                    var close = line.LastIndexOf('}');
                    var value = (close >= 0 ? line[(close + 1)..] : line[name.Length..]).Trim().Split(' ')[0];
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                    {
                        total += v;
                        found = true;
                    }
                }
            }

            if (found)
            {
                return total;
            }
        }

        return double.NaN;
    }
}

/// <summary>The resident set and its split (MiB) from the text of <c>/proc/&lt;pid&gt;/status</c>; NaN for a missing line.</summary>
internal readonly record struct ProcStatus(double RssMiB, double RssAnonMiB, double RssFileMiB, double RssShmemMiB)
{
    public static ProcStatus Parse(string text)
    {
        double rss = double.NaN, anon = double.NaN, file = double.NaN, shmem = double.NaN;
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            // "RssAnon:\t  123456 kB"
            var key = line[..colon];
            if (key is not ("VmRSS" or "RssAnon" or "RssFile" or "RssShmem"))
            {
                continue;
            }

            var kib = double.Parse(line[(colon + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            switch (key)
            {
                case "VmRSS": rss = kib / 1024; break;
                case "RssAnon": anon = kib / 1024; break;
                case "RssFile": file = kib / 1024; break;
                default: shmem = kib / 1024; break;
            }
        }

        return new ProcStatus(rss, anon, file, shmem);
    }
}
