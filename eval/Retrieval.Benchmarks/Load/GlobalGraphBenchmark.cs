using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Core.Graph;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Benchmarks.Load;

/// <summary>
/// `global`: cost of global graph retrieval (communities over the caller's permitted entity graph + extractive summaries)
/// on a real corpus — MuSiQue's paragraphs with the benchmark's ACL mix, or A Christmas Carol as one public document.
/// Ingests into --store when it is empty, then times cold (empty summary cache) and warm calls per caller.
/// </summary>
internal static class GlobalGraphBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var datasets = BenchCorpus.FindDatasets(args.Contains("--datasets") ? BenchCorpus.Arg(args, "--datasets", "") : null);
        var dataset = BenchCorpus.Arg(args, "--dataset", "musique");
        var store = Path.GetFullPath(BenchCorpus.Arg(args, "--store", $"/tmp/retrieval-global-{dataset}"));
        var model = BenchCorpus.Arg(args, "--model", "arctic-xs");
        var runs = BenchCorpus.IntArg(args, "--runs", 20);
        await using var services = IngestBenchmark.BuildServices(store, model, 256, 32);
        var documents = services.GetRequiredService<IDocumentStore>();
        await documents.InitializeAsync(CancellationToken.None);
        var stats = await documents.GetStatisticsAsync(CancellationToken.None);
        if (stats.Documents == 0)
        {
            var ingestor = services.GetRequiredService<DocumentIngestor>();
            List<DocumentInput> inputs = dataset switch
            {
                "carol" => [new DocumentInput("christmas-carol", "christmas_carol/book.txt", "A Christmas Carol",
                    File.ReadAllBytes(Path.Combine(datasets, "christmas_carol", "book.txt")), "text/plain", ["public"], new Dictionary<string, string>())],
                _ => BenchCorpus.All(datasets).Where(d => d.Id.StartsWith("musique/", StringComparison.Ordinal))
                    .Select((d, i) => new DocumentInput(d.Id, d.Id, d.Title, Encoding.UTF8.GetBytes(d.Title + "\n\n" + d.Text), "text/plain", BenchCorpus.AclFor(i), new Dictionary<string, string>()))
                    .ToList(),
            };
            var watch = Stopwatch.StartNew();
            await Parallel.ForEachAsync(inputs, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (input, ct) => await ingestor.IngestAsync(IngestBenchmark.Tenant, input, ct));
            stats = await documents.GetStatisticsAsync(CancellationToken.None);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ingested {stats.Documents} documents, {stats.Chunks} chunks in {watch.Elapsed.TotalSeconds:F0} s"));
        }

        var retriever = services.GetRequiredService<GlobalGraphRetriever>();
        var store2 = services.GetRequiredService<IGraphStore>();
        var callers = new (string Name, string[] Groups)[] { ("public only", []), ("eng", ["eng"]), ("eng+hr+sales", ["eng", "hr", "sales"]) };
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"{dataset}: {stats.Documents} documents, {stats.Chunks} chunks; {runs} warm runs per caller, 5 communities summarized, {Environment.ProcessorCount} cores");
        report.AppendLine("| caller | entities | relations | communities (≥3) | load ms | Louvain ms | cold total ms | warm p50 ms | warm p95 ms |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, groups) in callers)
        {
            var filter = new Principal(IngestBenchmark.Tenant, "bench-user", groups, new HashSet<string> { RetrievalRoles.Reader }).ToAclFilter();
            var graph = await store2.GetEntityGraphAsync(filter, CancellationToken.None);
            var cold = await retriever.RetrieveAsync(filter, "What are the main themes?", 5, summarize: true, CancellationToken.None);
            var warm = new List<GlobalRetrieval>();
            for (var i = 0; i < runs; i++)
            {
                warm.Add(await retriever.RetrieveAsync(filter, "What are the main themes?", 5, summarize: true, CancellationToken.None));
            }

            var totals = warm.Select(w => w.Timings["globalMs"]).Order().ToList();
            report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {graph.Entities.Count} | {graph.Relations.Count} | {cold.Total} | {warm.Average(w => w.Timings["globalGraphMs"]):F0} | {warm.Average(w => w.Timings["globalCommunitiesMs"]):F0} | {cold.Timings["globalMs"]:F0} | {totals[totals.Count / 2]:F0} | {totals[(int)Math.Ceiling(totals.Count * 0.95) - 1]:F0} |"));
            if (name == "public only")
            {
                foreach (var community in cold.Communities)
                {
                    report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                        $"  - {community.Title} ({community.Size} entities, {community.Chunks} chunks): {community.Summary?.Text}"));
                }
            }
        }

        Console.WriteLine(report);
        return 0;
    }
}
