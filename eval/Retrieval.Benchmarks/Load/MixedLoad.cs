using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Retrieval.Core.Security;

namespace Retrieval.Benchmarks.Load;

/// <summary>One finished request: its operation, when it started (seconds into the run), how long it took, its status (0: no response).</summary>
internal readonly record struct OpRecord(string Op, double StartSeconds, double LatencyMs, int Status);

/// <summary>
/// `load --mix search=80,ask=15,ingest=5 --clients 64 --duration 10m`: drives a running service for a fixed time with
/// a mix of search, ask and synchronous ingest from N concurrent clients, each with its own identity (user, groups,
/// tenant; tokens minted from the development key in --data). Plants one canary document per identity first
/// (readable by that user only) and probes for other identities' canaries; every returned document id is checked
/// against the caller's identity (the ACL oracle knows the corpus, the canaries and the ingested documents). Samples
/// the service's memory (/proc/&lt;pid&gt;/status with --pid, and the runtime metrics on /metrics) and the machine's
/// load average over time. Writes a CSV time series, a JSON summary, a Markdown report and charts to --out, and
/// exits 1 when the soak criteria fail: an error other than 429, an ACL violation, or memory growth after warm-up.
/// </summary>
internal static class MixedLoad
{
    public static async Task<int> RunAsync(string[] args, Uri url)
    {
        var options = LoadOptions.Parse(args);
        var identity = DevelopmentIdentity.TryLoad(options.Data) ?? throw new InvalidOperationException($"No identity.json in {options.Data}: start the service on that data directory first.");
        var datasets = BenchCorpus.FindDatasets(args.Contains("--datasets") ? BenchCorpus.Arg(args, "--datasets", "") : null);
        var queries = BenchCorpus.Queries(datasets);
        var abstracts = BenchCorpus.SciFact(datasets).Take(2000).ToList();
        var identities = LoadIdentities.Create(identity, options.Clients, options.Duration + TimeSpan.FromHours(1));
        identities.AddCorpus(BenchCorpus.All(datasets));
        Directory.CreateDirectory(options.Out);

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(30) })
        {
            BaseAddress = url,
            Timeout = TimeSpan.FromSeconds(120),
        };
        using var metricsHttp = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(20) };

        Console.WriteLine($"{options.Clients} clients ({identities.Clients.Count(c => c.Tenant != IngestBenchmark.Tenant)} in tenant {LoadIdentities.SecondTenant}), mix {options.MixText}, {options.Duration}, mode {options.Mode}; ACL oracle of {identities.KnownDocuments} documents.");
        Console.WriteLine("Planting one canary document per identity…");
        await Parallel.ForEachAsync(identities.Clients, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (client, ct) =>
        {
            using var response = await SendAsync(http, client, "/v1/documents", new
            {
                id = client.CanaryId,
                title = "Soak canary",
                text = $"Canary record of the soak test. Its secret word is {client.CanaryWord}. Only {client.User} may read {client.CanaryWord}.",
                acl = new[] { $"user:{client.User}" },
            }, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Planting {client.CanaryId} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
        });

        var run = new LoadRun(options, identities, queries, abstracts);
        var sampler = new MemorySampler(metricsHttp, options.Pid);
        var samples = new List<TimeSample>();
        var watch = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var sampling = Task.Run(async () =>
        {
            var previous = 0.0;
            while (!stop.IsCancellationRequested)
            {
                var memory = await sampler.SampleAsync(CancellationToken.None);
                var now = watch.Elapsed.TotalSeconds;
                var window = run.Drain();
                samples.Add(TimeSample.From(now, now - previous, window, memory, LoadAverage()));
                previous = now;
                Console.WriteLine(samples[^1].ConsoleLine());
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(options.SampleSeconds), stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        var deadline = watch.Elapsed + options.Duration;
        await Task.WhenAll(identities.Clients.Select(client => Task.Run(() => run.ClientLoopAsync(http, client, watch, deadline))));
        var elapsed = watch.Elapsed;
        await stop.CancelAsync();
        await sampling;
        var final = await sampler.SampleAsync(CancellationToken.None);
        samples.Add(TimeSample.From(watch.Elapsed.TotalSeconds, watch.Elapsed.TotalSeconds - samples[^1].Seconds, run.Drain(), final, LoadAverage()));

        var report = LoadReport.Build(options, run, samples, elapsed);
        report.Write(options.Out, samples);
        Console.WriteLine();
        Console.WriteLine(report.Markdown);
        return report.Passed ? 0 : 1;
    }

    internal static async Task<HttpResponseMessage> SendAsync(HttpClient http, LoadIdentity client, string path, object body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", client.Token);
        return await http.SendAsync(request, cancellationToken);
    }

    private static double LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}

/// <summary>The state of one mixed-load run: every request's record, error kinds, ACL checks and canary probes.</summary>
internal sealed class LoadRun(LoadOptions options, LoadIdentities identities, IReadOnlyList<string> queries, IReadOnlyList<BenchDocument> abstracts)
{
    private readonly ConcurrentQueue<OpRecord> _pending = new();
    private readonly ConcurrentBag<OpRecord> _all = [];
    private readonly ConcurrentDictionary<string, int> _exceptions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentQueue<string> _unknown = new();
    private long _responsesChecked;
    private long _documentsChecked;
    private long _ownCanaryProbes;
    private long _ownCanaryFound;
    private long _foreignCanaryProbes;
    private long _ignoredProbes;

    public IReadOnlyCollection<OpRecord> All => _all;

    public IReadOnlyDictionary<string, int> Exceptions => _exceptions;

    public IReadOnlyCollection<string> Violations => _violations;

    public IReadOnlyCollection<string> Unknown => _unknown;

    public LoadIdentities Identities => identities;

    public long ResponsesChecked => Interlocked.Read(ref _responsesChecked);

    public long DocumentsChecked => Interlocked.Read(ref _documentsChecked);

    public (long Probes, long Found) OwnCanary => (Interlocked.Read(ref _ownCanaryProbes), Interlocked.Read(ref _ownCanaryFound));

    public long ForeignCanaryProbes => Interlocked.Read(ref _foreignCanaryProbes);

    /// <summary>The records finished since the last call.</summary>
    public List<OpRecord> Drain()
    {
        var drained = new List<OpRecord>();
        while (_pending.TryDequeue(out var record))
        {
            drained.Add(record);
        }

        return drained;
    }

    public async Task ClientLoopAsync(HttpClient http, LoadIdentity client, Stopwatch watch, TimeSpan deadline)
    {
        var random = new Random(HashCode.Combine(options.Seed, client.Index));
        var ingested = 0;
        while (watch.Elapsed < deadline)
        {
            var op = options.Pick(random.NextDouble());
            object body;
            string path;
            string? ownCanary = null;
            var foreignProbe = false;
            switch (op)
            {
                case "ask":
                    path = "/v1/ask";
                    body = new { question = queries[random.Next(queries.Count)], topK = options.TopK };
                    break;
                case "ingest":
                    var slot = ingested % LoadIdentities.IngestSlots;
                    var doc = abstracts[((client.Index * 131) + ingested) % abstracts.Count];
                    ingested++;
                    path = "/v1/documents";
                    body = new { id = client.IngestId(slot), title = doc.Title, text = doc.Text, acl = client.IngestAcl(slot) };
                    break;
                default:
                    path = "/v1/search";
                    var query = queries[random.Next(queries.Count)];
                    if (random.NextDouble() < options.CanaryShare)
                    {
                        if (random.Next(2) == 0)
                        {
                            query = client.CanaryWord;
                            ownCanary = client.CanaryId;
                        }
                        else
                        {
                            var other = identities.Clients[(client.Index + 1 + random.Next(identities.Clients.Count - 1)) % identities.Clients.Count];
                            query = other == client ? query : other.CanaryWord;
                            foreignProbe = other != client;
                        }
                    }

                    body = new { query, topK = options.TopK, mode = options.Mode };
                    break;
            }

            var started = watch.Elapsed.TotalSeconds;
            var start = Stopwatch.GetTimestamp();
            var status = 0;
            TimeSpan? retryAfter = null;
            try
            {
                using var response = await MixedLoad.SendAsync(http, client, path, body, CancellationToken.None);
                var bytes = await response.Content.ReadAsByteArrayAsync();
                status = (int)response.StatusCode;
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    retryAfter = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                }
                else if (response.IsSuccessStatusCode && op != "ingest" && (ownCanary is not null || foreignProbe || random.NextDouble() < options.AclSample))
                {
                    // Probes count only when answered (a 429 answers nothing).
                    Interlocked.Increment(ref ownCanary is not null ? ref _ownCanaryProbes : ref _ignoredProbes);
                    if (foreignProbe)
                    {
                        Interlocked.Increment(ref _foreignCanaryProbes);
                    }

                    Check(client, op, bytes, ownCanary);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                _exceptions.AddOrUpdate($"{op} {ex.GetType().Name}", 1, (_, n) => n + 1);
            }

            var record = new OpRecord(op, started, Stopwatch.GetElapsedTime(start).TotalMilliseconds, status);
            _pending.Enqueue(record);
            _all.Add(record);
            if (retryAfter is { } wait)
            {
                // A polite client: wait as told, but not past the end of the run.
                var left = deadline - watch.Elapsed;
                await Task.Delay(wait < left ? wait : left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
        }
    }

    private void Check(LoadIdentity client, string op, byte[] body, string? ownCanary)
    {
        using var json = JsonDocument.Parse(body);
        var ids = new List<string>();
        var array = op == "ask" ? json.RootElement.GetProperty("citations") : json.RootElement.GetProperty("results");
        foreach (var item in array.EnumerateArray())
        {
            ids.Add(item.GetProperty("documentId").GetString() ?? string.Empty);
        }

        var check = identities.Check(client, ids);
        Interlocked.Increment(ref _responsesChecked);
        Interlocked.Add(ref _documentsChecked, check.Checked);
        foreach (var id in check.Violations)
        {
            _violations.Enqueue($"{client.Tenant}/{client.User} ({op}) got {id}");
        }

        foreach (var id in check.Unknown)
        {
            _unknown.Enqueue($"{client.Tenant}/{client.User} ({op}) got {id}");
        }

        if (ownCanary is not null && ids.Contains(ownCanary))
        {
            Interlocked.Increment(ref _ownCanaryFound);
        }
    }
}

/// <summary>The command line of a mixed-load run.</summary>
internal sealed record LoadOptions(
    string Data, string Mode, int TopK, int Clients, TimeSpan Duration, TimeSpan Warmup, int? Pid, string Out,
    double SampleSeconds, double AclSample, double CanaryShare, double MaxGrowth, int Seed, IReadOnlyList<(string Op, double Weight)> Mix)
{
    public string MixText => string.Join(',', Mix.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Op}={m.Weight:0.##}")));

    public static LoadOptions Parse(string[] args)
    {
        var mix = BenchCorpus.Arg(args, "--mix", "search=80,ask=15,ingest=5").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('='))
            .Select(kv => (Op: kv[0].Trim(), Weight: double.Parse(kv[1], CultureInfo.InvariantCulture)))
            .ToList();
        if (mix.Exists(m => m.Op is not ("search" or "ask" or "ingest") || m.Weight < 0) || mix.Sum(m => m.Weight) <= 0)
        {
            throw new ArgumentException("--mix takes search=N,ask=N,ingest=N with non-negative weights.");
        }

        var pid = BenchCorpus.Arg(args, "--pid", "");
        return new LoadOptions(
            BenchCorpus.Arg(args, "--data", "/tmp/retrieval-bench-store"),
            BenchCorpus.Arg(args, "--mode", "hybrid"),
            BenchCorpus.IntArg(args, "--top-k", 10),
            BenchCorpus.Arg(args, "--clients", "64").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Max(),
            ParseDuration(BenchCorpus.Arg(args, "--duration", "10m")),
            ParseDuration(BenchCorpus.Arg(args, "--warmup", "2m")),
            pid.Length == 0 ? null : int.Parse(pid, CultureInfo.InvariantCulture),
            Path.GetFullPath(BenchCorpus.Arg(args, "--out", "load-results")),
            double.Parse(BenchCorpus.Arg(args, "--sample-seconds", "10"), CultureInfo.InvariantCulture),
            double.Parse(BenchCorpus.Arg(args, "--acl-sample", "1"), CultureInfo.InvariantCulture),
            double.Parse(BenchCorpus.Arg(args, "--canary-share", "0.1"), CultureInfo.InvariantCulture),
            double.Parse(BenchCorpus.Arg(args, "--max-growth", "0.1"), CultureInfo.InvariantCulture),
            BenchCorpus.IntArg(args, "--seed", 7),
            mix);
    }

    /// <summary>The operation a uniform draw in [0, 1) falls on, by the mix's weights.</summary>
    public string Pick(double draw)
    {
        var target = draw * Mix.Sum(m => m.Weight);
        foreach (var (op, weight) in Mix)
        {
            if (target < weight)
            {
                return op;
            }

            target -= weight;
        }

        return Mix[^1].Op;
    }

    /// <summary>"90s", "10m", "1h" or a TimeSpan ("00:10:00").</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var number = text.Length > 1 ? text[..^1] : text;
        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(double.Parse(number, CultureInfo.InvariantCulture)),
            'm' => TimeSpan.FromMinutes(double.Parse(number, CultureInfo.InvariantCulture)),
            'h' => TimeSpan.FromHours(double.Parse(number, CultureInfo.InvariantCulture)),
            _ => TimeSpan.Parse(text, CultureInfo.InvariantCulture),
        };
    }
}
