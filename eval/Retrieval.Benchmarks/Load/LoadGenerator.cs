using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Retrieval.Core.Security;

namespace Retrieval.Benchmarks.Load;

/// <summary>
/// `load`: drives a running service (loopback only) with POST /v1/search from N concurrent clients, each with its
/// own identity (tokens minted from the development key in --data), for a bounded number of requests per level,
/// and reports throughput and p50/p95/p99 latency per concurrency level. With --mix or --duration it runs the
/// mixed search/ask/ingest load for a fixed time instead (<see cref="MixedLoad"/>). For a fresh process's first
/// requests: --no-warmup skips the generator's own warm-up pass, and --windows 0-300,1000-1300 also reports p50/p95 of
/// those request ranges (by issue order; in time order at one client), e.g. cold start against steady state, with the
/// mean of each stage the service reports in the response's <c>timings</c>.
/// </summary>
internal static class LoadGenerator
{
    public static async Task<int> RunAsync(string[] args)
    {
        var url = new Uri(BenchCorpus.Arg(args, "--url", "http://127.0.0.1:5099"));
        if (!url.IsLoopback)
        {
            Console.Error.WriteLine("The load generator only targets loopback addresses.");
            return 2;
        }

        if (args.Contains("--mix") || args.Contains("--duration"))
        {
            return await MixedLoad.RunAsync(args, url);
        }

        var data = BenchCorpus.Arg(args, "--data", "/tmp/retrieval-bench-store");
        // Several modes (comma-separated) are measured in one run, alternating per level, so they share the machine's load.
        var modes = BenchCorpus.Arg(args, "--mode", "hybrid").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var requests = BenchCorpus.IntArg(args, "--requests", 400);
        var topK = BenchCorpus.IntArg(args, "--top-k", 10);
        var levels = BenchCorpus.Arg(args, "--clients", "1,4,16").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var datasets = BenchCorpus.FindDatasets(args.Contains("--datasets") ? BenchCorpus.Arg(args, "--datasets", "") : null);
        // --tenant eval: a store built by the evaluation tool (eval/.cache/<dataset>-<model>, everything public in tenant eval).
        var tenant = BenchCorpus.Arg(args, "--tenant", IngestBenchmark.Tenant);
        var queries = BenchCorpus.Arg(args, "--queries", "scifact,cranfield") == "musique" ? BenchCorpus.MusiqueQueries(datasets) : BenchCorpus.Queries(datasets);
        var identity = DevelopmentIdentity.TryLoad(data) ?? throw new InvalidOperationException($"No identity.json in {data}: start the service on that data directory first.");
        string[][] groupSets = [["eng"], ["hr"], ["sales"], ["eng", "hr"], []];
        var windows = ParseWindows(BenchCorpus.Arg(args, "--windows", ""));
        var tokens = Enumerable.Range(0, Math.Max(levels.Max(), 2)) // the warm-up runs 2 clients
            .Select(i => identity.MintToken(new TokenRequest($"u{i}", tenant, groupSets[i % groupSets.Length], ["reader"], TimeSpan.FromHours(2))))
            .ToArray();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        foreach (var mode in args.Contains("--no-warmup") ? [] : modes)
        {
            Console.WriteLine($"Warming up ({mode})…");
            await RunLevelAsync(http, tokens, queries, mode, topK, clients: 2, total: 40, offset: 5000);
        }

        var windowReport = new StringBuilder();

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"POST /v1/search topK={topK}, {requests} requests per level and mode, {queries.Count} distinct queries, distinct identities per client");
        report.AppendLine("| mode | clients | requests | errors | throughput req/s | p50 ms | p95 ms | p99 ms | max ms |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var clients in levels)
        {
            foreach (var mode in modes)
            {
                // Every mode gets the same queries at a level, so the comparison is query for query.
                var result = await RunLevelAsync(http, tokens, queries, mode, topK, clients, requests, offset: clients * 1000);
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"| {mode} | {clients} | {result.Latencies.Length} | {result.Errors} | {result.Latencies.Length / result.Elapsed.TotalSeconds:F1} | {Percentile(result.Latencies, 50):F1} | {Percentile(result.Latencies, 95):F1} | {Percentile(result.Latencies, 99):F1} | {result.Latencies.Max():F1} |");
                report.AppendLine(line);
                Console.WriteLine(line);
                foreach (var (from, to) in windows.Where(w => w.To <= result.Latencies.Length))
                {
                    var window = result.Latencies[from..to];
                    windowReport.AppendLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {mode} | {clients} | {from}-{to} | {Percentile(window, 50):F1} | {Percentile(window, 95):F1} | {window.Average():F1} | {StageMeans(result.Timings[from..to])} |"));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine(report);
        if (windowReport.Length > 0)
        {
            Console.WriteLine("| mode | clients | requests | p50 ms | p95 ms | mean ms | server stages, mean ms |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            Console.WriteLine(windowReport);
        }

        return 0;
    }

    /// <summary>"0-300,1000-1300" as half-open request index ranges.</summary>
    private static (int From, int To)[] ParseWindows(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(range =>
        {
            var parts = range.Split('-');
            var from = int.Parse(parts[0], CultureInfo.InvariantCulture);
            var to = int.Parse(parts[1], CultureInfo.InvariantCulture);
            return from >= 0 && to > from ? (from, to) : throw new ArgumentException($"--windows: '{range}' is not a range FROM-TO with FROM < TO.");
        })];

    private static async Task<(double[] Latencies, IReadOnlyDictionary<string, double>?[] Timings, int Errors, TimeSpan Elapsed)> RunLevelAsync(
        HttpClient http, string[] tokens, IReadOnlyList<string> queries, string mode, int topK, int clients, int total, int offset)
    {
        var latencies = new double[total];
        var timings = new IReadOnlyDictionary<string, double>?[total];
        var next = -1;
        var errors = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/search")
                {
                    Content = JsonContent.Create(new { query = queries[(offset + i) % queries.Count], topK, mode }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[client]);
                var start = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsByteArrayAsync();
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
                else
                {
                    timings[i] = ReadTimings(body);
                }
            }
        }));
        return (latencies, timings, errors, watch.Elapsed);
    }

    /// <summary>The service's own stage timings of one search (<c>timings</c> in the response), or null.</summary>
    private static Dictionary<string, double>? ReadTimings(byte[] body)
    {
        using var document = System.Text.Json.JsonDocument.Parse(body);
        if (!document.RootElement.TryGetProperty("timings", out var element))
        {
            return null;
        }

        return element.EnumerateObject().Where(p => p.Value.ValueKind == System.Text.Json.JsonValueKind.Number)
            .ToDictionary(p => p.Name, p => p.Value.GetDouble(), StringComparer.Ordinal);
    }

    /// <summary>Mean of each server-side stage over the requests of a window (a request without a stage counts 0).</summary>
    private static string StageMeans(IReadOnlyDictionary<string, double>?[] timings)
    {
        var present = timings.Where(t => t is not null).Select(t => t!).ToList();
        if (present.Count == 0)
        {
            return "";
        }

        string[] stages = ["totalMs", "embedMs", "denseMs", "lexicalMs", "graphMs", "graphLinkMs", "graphEmbeddingLinkMs", "graphSubgraphMs", "graphPprMs", "graphBridgeMs", "hydrateMs"];
        return string.Join(", ", stages.Select(stage => string.Create(CultureInfo.InvariantCulture,
            $"{stage} {present.Average(t => t.GetValueOrDefault(stage)):F1}")));
    }

    private static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
