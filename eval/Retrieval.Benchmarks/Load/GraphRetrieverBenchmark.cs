using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Benchmarks.Load;

/// <summary>
/// `graph`: where the local graph retriever's time goes (linking, subgraph read, PageRank) on an existing store, and a
/// dump of everything it returns (ranked chunks with their PageRank mass, explanations, linked entities) with its
/// SHA-256, so that two builds can be shown to rank identically. Runs every MuSiQue question once to warm up, then
/// --runs more times, as one reader of --tenant who sees only public documents (or --groups).
/// </summary>
internal static class GraphRetrieverBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var datasets = BenchCorpus.FindDatasets(args.Contains("--datasets") ? BenchCorpus.Arg(args, "--datasets", "") : null);
        var store = Path.GetFullPath(BenchCorpus.Arg(args, "--store", "/tmp/graph-lat-store"));
        var model = BenchCorpus.Arg(args, "--model", "arctic-xs");
        var tenant = BenchCorpus.Arg(args, "--tenant", "eval");
        var runs = BenchCorpus.IntArg(args, "--runs", 3);
        var topK = BenchCorpus.IntArg(args, "--top-k", 50);
        var dumpPath = BenchCorpus.Arg(args, "--dump", "");
        var groups = BenchCorpus.Arg(args, "--groups", "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var queries = BenchCorpus.MusiqueQueries(datasets);

        await using var services = IngestBenchmark.BuildServices(store, model, 256, 32);
        var documents = services.GetRequiredService<IDocumentStore>();
        await documents.InitializeAsync(CancellationToken.None);
        var stats = await documents.GetStatisticsAsync(CancellationToken.None);
        var retriever = services.GetRequiredService<GraphRetriever>();
        var filter = new Principal(tenant, "bench-user", groups, new HashSet<string> { RetrievalRoles.Reader }).ToAclFilter();

        var dump = new StringBuilder();
        foreach (var query in queries)
        {
            var result = await retriever.RetrieveAsync(filter, query, topK, [], ReadOnlyMemory<float>.Empty, CancellationToken.None);
            Dump(dump, query, result);
        }

        var samples = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (var run = 0; run < runs; run++)
        {
            foreach (var query in queries)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var result = await retriever.RetrieveAsync(filter, query, topK, [], ReadOnlyMemory<float>.Empty, CancellationToken.None);
                Add("totalMs", watch.Elapsed.TotalMilliseconds);
                foreach (var (name, ms) in result.Timings)
                {
                    Add(name, ms);
                }
            }
        }

        var text = dump.ToString();
        if (dumpPath.Length > 0)
        {
            await File.WriteAllTextAsync(dumpPath, text);
        }

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"{stats.Documents} documents, {stats.Chunks} chunks; {queries.Count} MuSiQue questions × {runs} warm runs, top {topK}, {Environment.ProcessorCount} cores");
        report.AppendLine(CultureInfo.InvariantCulture, $"results SHA-256: {Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))}");
        report.AppendLine("| stage | calls | mean ms | p50 ms | p95 ms | max ms |");
        report.AppendLine("|---|---|---|---|---|---|");
        foreach (var (name, values) in samples.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            values.Sort();
            report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {values.Count} | {values.Average():F2} | {Percentile(values, 0.50):F2} | {Percentile(values, 0.95):F2} | {values[^1]:F2} |"));
        }

        Console.WriteLine(report);
        return 0;

        void Add(string name, double ms)
        {
            if (!samples.TryGetValue(name, out var list))
            {
                list = [];
                samples[name] = list;
            }

            list.Add(ms);
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(sorted.Count * p) - 1)];

    private static void Dump(StringBuilder dump, string query, GraphRetrieval result)
    {
        dump.AppendLine(CultureInfo.InvariantCulture, $"Q {query}");
        foreach (var linked in result.Linked)
        {
            dump.AppendLine(CultureInfo.InvariantCulture, $"  L {linked.Entity.Id} {linked.Entity.Name} {linked.Entity.Chunks} {linked.Entity.Mentions} {linked.MatchedKey}");
        }

        foreach (var chunk in result.Chunks)
        {
            dump.AppendLine(CultureInfo.InvariantCulture, $"  C {chunk.ChunkId} {chunk.Score:R}");
            if (result.Explanations.TryGetValue(chunk.ChunkId, out var explanation))
            {
                foreach (var step in explanation.Entities)
                {
                    dump.AppendLine(CultureInfo.InvariantCulture,
                        $"    E {step.EntityId} {step.Name} {step.FromQuery} {step.Bridge?.QueryEntityId} {step.Bridge?.ChunkId}");
                }
            }
        }
    }
}
