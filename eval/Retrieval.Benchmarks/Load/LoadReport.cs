using System.Globalization;
using System.Text;
using System.Text.Json;
using ScottPlot;

namespace Retrieval.Benchmarks.Load;

/// <summary>One point of the time series: the requests that finished in the interval, the service's memory, the load average.</summary>
internal sealed record TimeSample(
    double Seconds, int Requests, int Search, int Ask, int Ingest, int Errors, int RateLimited, double ThroughputPerSecond,
    double P50Ms, double P95Ms, MemorySample Memory, double LoadAverage)
{
    public static TimeSample From(double seconds, double interval, List<OpRecord> window, MemorySample memory, double loadAverage)
    {
        var latencies = window.Select(r => r.LatencyMs).ToArray();
        return new TimeSample(
            seconds, window.Count,
            window.Count(r => r.Op == "search"), window.Count(r => r.Op == "ask"), window.Count(r => r.Op == "ingest"),
            window.Count(r => LoadReport.IsError(r.Status)), window.Count(r => r.Status == 429),
            interval > 0 ? window.Count / interval : 0,
            LoadReport.Percentile(latencies, 50), LoadReport.Percentile(latencies, 95), memory, loadAverage);
    }

    public string ConsoleLine() => string.Create(CultureInfo.InvariantCulture,
        $"{Seconds / 60,5:F1} min  {ThroughputPerSecond,6:F1} req/s  p50 {P50Ms,7:F0} ms  p95 {P95Ms,7:F0} ms  errors {Errors}  429 {RateLimited}  RSS {Memory.RssMiB:F0} MiB (anon {Memory.RssAnonMiB:F0}, file {Memory.RssFileMiB:F0})  GC heap {Memory.GcHeapMiB:F0} MiB  load {LoadAverage:F1}");

    public static string CsvHeader => "seconds,requests,search,ask,ingest,errors,rate_limited,throughput_per_s,p50_ms,p95_ms,rss_mib,gc_heap_mib,working_set_mib,gc_committed_mib,load_average,rss_anon_mib,rss_file_mib,rss_shmem_mib,native_anon_mib";

    public string Csv() => string.Create(CultureInfo.InvariantCulture,
        $"{Seconds:F1},{Requests},{Search},{Ask},{Ingest},{Errors},{RateLimited},{ThroughputPerSecond:F2},{P50Ms:F1},{P95Ms:F1},{Memory.RssMiB:F1},{Memory.GcHeapMiB:F1},{Memory.WorkingSetMiB:F1},{Memory.GcCommittedMiB:F1},{LoadAverage:F2},{Memory.RssAnonMiB:F1},{Memory.RssFileMiB:F1},{Memory.RssShmemMiB:F1},{Memory.NativeAnonMiB:F1}");
}

/// <summary>Per-operation latency and status figures, memory at warm-up and at the end, ACL checks, and the verdict.</summary>
internal sealed class LoadReport
{
    private const string AnonName = "RssAnon (anonymous: judged)";

    private static readonly JsonSerializerOptions SummaryJson = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private LoadReport(string markdown, bool passed, object summary)
    {
        Markdown = markdown;
        Passed = passed;
        Summary = summary;
    }

    public string Markdown { get; }

    public bool Passed { get; }

    public object Summary { get; }

    /// <summary>An error is a failed response other than 429, or no response at all (status 0).</summary>
    public static bool IsError(int status) => status == 0 || (status >= 400 && status != 429);

    public static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static LoadReport Build(LoadOptions options, LoadRun run, IReadOnlyList<TimeSample> samples, TimeSpan elapsed)
    {
        var records = run.All.ToList();
        var seconds = elapsed.TotalSeconds;
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine(inv, $"Mixed load: {options.Clients} clients, mix {options.MixText}, mode {options.Mode}, topK {options.TopK}, {elapsed.TotalMinutes:F1} min, {records.Count} requests, {records.Count / seconds:F1} req/s");
        md.AppendLine();
        md.AppendLine("| operation | requests | req/s | p50 ms (2xx) | p95 ms (2xx) | p99 ms (2xx) | max ms (2xx) | 2xx | 429 | errors (status: count) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        var operations = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var group in records.GroupBy(r => r.Op).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // Latency percentiles of the answered requests (2xx); a 429 is cheap and would hide the service's latency.
            var latencies = group.Where(r => r.Status is >= 200 and < 300).Select(r => r.LatencyMs).DefaultIfEmpty(double.NaN).ToArray();
            var requests = group.Count();
            var errors = group.Where(r => IsError(r.Status)).GroupBy(r => r.Status).OrderBy(g => g.Key).ToDictionary(g => g.Key == 0 ? "no response" : g.Key.ToString(inv), g => g.Count());
            var ok = group.Count(r => r.Status is >= 200 and < 300);
            var limited = group.Count(r => r.Status == 429);
            md.AppendLine(inv, $"| {group.Key} | {requests} | {requests / seconds:F2} | {Percentile(latencies, 50):F0} | {Percentile(latencies, 95):F0} | {Percentile(latencies, 99):F0} | {latencies.Max():F0} | {ok} | {limited} | {(errors.Count == 0 ? "0" : string.Join(", ", errors.Select(e => $"{e.Key}: {e.Value}")))} |");
            operations[group.Key] = new
            {
                requests,
                perSecond = requests / seconds,
                p50Ms = Percentile(latencies, 50),
                p95Ms = Percentile(latencies, 95),
                p99Ms = Percentile(latencies, 99),
                maxMs = latencies.Max(),
                ok,
                rateLimited = limited,
                errors,
            };
        }

        var errorCount = records.Count(r => IsError(r.Status));
        var rateLimited = records.Count(r => r.Status == 429);
        md.AppendLine();
        md.AppendLine(inv, $"Errors other than 429: **{errorCount}**; 429 (rate limited): {rateLimited}.");
        foreach (var (kind, count) in run.Exceptions)
        {
            md.AppendLine(inv, $"- no response: {kind} × {count}");
        }

        var (ownProbes, ownFound) = run.OwnCanary;
        md.AppendLine(inv, $"ACL: {run.ResponsesChecked} responses checked ({run.DocumentsChecked} returned documents) against the caller's identity: **{run.Violations.Count} violations**, {run.Unknown.Count} documents the oracle does not know. Canary probes: {run.ForeignCanaryProbes} for another identity's canary; {ownProbes} for the caller's own, which came back {ownFound} times (the positive control).");
        foreach (var violation in run.Violations.Take(20))
        {
            md.AppendLine(inv, $"- violation: {violation}");
        }

        foreach (var unknown in run.Unknown.Take(10))
        {
            md.AppendLine(inv, $"- unknown: {unknown}");
        }

        // Memory: the mean of the samples within ±30 s of the end of warm-up against the mean of the last minute.
        var warm = samples.Where(s => Math.Abs(s.Seconds - options.Warmup.TotalSeconds) <= 30).ToList();
        var last = samples.Where(s => s.Seconds >= seconds - 60).ToList();
        var memory = new Dictionary<string, object>(StringComparer.Ordinal);
        var grown = false;
        md.AppendLine();
        md.AppendLine(inv, $"| memory (MiB) | first sample | at warm-up ({options.Warmup.TotalMinutes:F0} min ± 30 s) | last minute | max | growth after warm-up |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, select) in new (string, Func<MemorySample, double>)[]
        {
            ("RSS (/proc)", m => m.RssMiB), (AnonName, m => m.RssAnonMiB), ("RssFile (file-backed: page cache)", m => m.RssFileMiB), ("RssShmem", m => m.RssShmemMiB),
            ("GC heap after last GC", m => m.GcHeapMiB), ("working set (runtime)", m => m.WorkingSetMiB), ("GC committed", m => m.GcCommittedMiB),
            ("RssAnon − GC committed (native estimate)", m => m.NativeAnonMiB),
        })
        {
            var atWarm = Mean(warm.Select(s => select(s.Memory)));
            var atEnd = Mean(last.Select(s => select(s.Memory)));
            var growth = (atEnd - atWarm) / atWarm;
            var max = samples.Select(s => select(s.Memory)).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Max();
            if (double.IsNaN(atWarm))
            {
                continue;
            }

            // The verdict uses the anonymous resident memory (what only this process holds: GC heap, C heap, stacks) and
            // the memory the GC has committed from the OS. File-backed pages (the SQLite file, the model, assemblies) are
            // the kernel's page cache, which it drops under pressure and which grows as the store is read: shown, with
            // RSS, but not judged. "GC heap after last GC" is shown but not judged: it is measured after whichever
            // collection ran last, usually an ephemeral one that leaves dead gen-2 objects counted, so it drifts up between
            // full collections while the live heap (dotnet-gcdump, which forces one) stays flat. Without RssAnon (an old
            // kernel) the whole RSS is judged.
            var judged = name == "GC committed" || name == AnonName || (name == "RSS (/proc)" && double.IsNaN(Mean(warm.Select(s => s.Memory.RssAnonMiB))));
            if (judged && growth > options.MaxGrowth)
            {
                grown = true;
            }

            md.AppendLine(inv, $"| {name} | {select(samples[0].Memory):F0} | {atWarm:F0} | {atEnd:F0} | {max:F0} | {growth:+0.0%;-0.0%} |");
            memory[name] = new { first = select(samples[0].Memory), atWarmup = atWarm, lastMinute = atEnd, max, growth, judged };
        }

        var loads = samples.Select(s => s.LoadAverage).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).ToList();
        md.AppendLine();
        md.AppendLine(inv, $"Load average (1 min) during the run: min {loads.Min():F1}, mean {loads.Average():F1}, max {loads.Max():F1} on {Environment.ProcessorCount} cores.");
        var passed = errorCount == 0 && run.Violations.Count == 0 && run.Unknown.Count == 0 && !grown;
        md.AppendLine(inv, $"Verdict: **{(passed ? "PASS" : "FAIL")}** (0 errors other than 429, 0 ACL violations, anonymous resident memory (RssAnon) and GC committed memory growth after warm-up at most {options.MaxGrowth:0%}; file-backed RSS is page cache and not judged).");
        var summary = new
        {
            options.Clients,
            mix = options.MixText,
            options.Mode,
            options.TopK,
            durationSeconds = seconds,
            requests = records.Count,
            perSecond = records.Count / seconds,
            operations,
            errors = errorCount,
            rateLimited,
            exceptions = run.Exceptions,
            acl = new { responsesChecked = run.ResponsesChecked, documentsChecked = run.DocumentsChecked, violations = run.Violations.ToList(), unknown = run.Unknown.Count, foreignCanaryProbes = run.ForeignCanaryProbes, ownCanaryProbes = ownProbes, ownCanaryFound = ownFound },
            memory,
            loadAverage = new { min = loads.Min(), mean = loads.Average(), max = loads.Max(), cores = Environment.ProcessorCount },
            passed,
        };
        return new LoadReport(md.ToString(), passed, summary);
    }

    public void Write(string folder, IReadOnlyList<TimeSample> samples)
    {
        File.WriteAllLines(Path.Combine(folder, "load-timeseries.csv"), samples.Select(s => s.Csv()).Prepend(TimeSample.CsvHeader));
        File.WriteAllText(Path.Combine(folder, "load-summary.json"), JsonSerializer.Serialize(Summary, SummaryJson));
        File.WriteAllText(Path.Combine(folder, "load-report.md"), Markdown);
        Chart(samples, Path.Combine(folder, "load-memory.png"), "Service memory over the run (MiB)",
            ("RSS", s => s.Memory.RssMiB), ("RssAnon", s => s.Memory.RssAnonMiB), ("RssFile", s => s.Memory.RssFileMiB),
            ("GC heap after last GC", s => s.Memory.GcHeapMiB), ("GC committed", s => s.Memory.GcCommittedMiB));
        Chart(samples, Path.Combine(folder, "load-throughput.png"), "Throughput (req/s) and p95 latency (s) per interval",
            ("req/s", s => s.ThroughputPerSecond), ("p95 s", s => s.P95Ms / 1000), ("load average", s => s.LoadAverage));
    }

    private static void Chart(IReadOnlyList<TimeSample> samples, string path, string title, params (string Name, Func<TimeSample, double> Select)[] series)
    {
        var plot = new Plot();
        var minutes = samples.Select(s => s.Seconds / 60).ToArray();
        foreach (var (name, select) in series)
        {
            var values = samples.Select(select).ToArray();
            if (values.All(double.IsNaN))
            {
                continue;
            }

            var line = plot.Add.Scatter(minutes, values);
            line.LegendText = name;
        }

        plot.Title(title);
        plot.XLabel("minutes");
        plot.Axes.SetLimitsY(0, series.SelectMany(s => samples.Select(s.Select)).Where(v => !double.IsNaN(v)).DefaultIfEmpty(1).Max() * 1.1);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 450);
    }

    private static double Mean(IEnumerable<double> values)
    {
        var present = values.Where(v => !double.IsNaN(v)).ToList();
        return present.Count == 0 ? double.NaN : present.Average();
    }
}
