using System.Globalization;

namespace Retrieval.Benchmarks.Load;

/// <summary>One reading of the service process's memory; NaN where the source was not available.</summary>
internal sealed record MemorySample(double RssMiB, double GcHeapMiB, double WorkingSetMiB, double GcCommittedMiB);

/// <summary>
/// Reads the service's memory: resident set size from <c>/proc/&lt;pid&gt;/status</c> (when a pid is given) and the
/// .NET runtime metrics from the Prometheus <c>/metrics</c> endpoint (GC heap after the last collection, summed over
/// generations; the runtime's working set; committed GC memory).
/// </summary>
internal sealed class MemorySampler(HttpClient http, int? pid)
{
    public async Task<MemorySample> SampleAsync(CancellationToken cancellationToken)
    {
        var rss = double.NaN;
        if (pid is { } id && File.Exists($"/proc/{id}/status"))
        {
            foreach (var line in await File.ReadAllLinesAsync($"/proc/{id}/status", cancellationToken))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
                }
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

        return new MemorySample(rss, heap / (1024 * 1024), workingSet / (1024 * 1024), committed / (1024 * 1024));
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
