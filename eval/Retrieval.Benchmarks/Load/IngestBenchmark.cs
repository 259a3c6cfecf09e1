using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Storage;
using Retrieval.Hosting;

namespace Retrieval.Benchmarks.Load;

/// <summary>
/// `ingest`: ingestion throughput of the real pipeline (parse → chunk → embed → SQLite upsert) per model, next to
/// the embedding generator alone on the same chunk texts, so the pipeline's own overhead is visible.
/// `corpus`: builds a store of at least --min-chunks chunks from real public text, for the latency benchmark.
/// </summary>
internal static class IngestBenchmark
{
    public const string Tenant = "bench";

    public static ServiceProvider BuildServices(string store, string model, int chunkTokens, int overlapTokens)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Retrieval:Storage:DataDirectory"] = store,
            ["Retrieval:Embeddings:Model"] = model,
            ["Retrieval:Embeddings:ExecutionProvider"] = "cpu",
            ["Retrieval:Worker:Enabled"] = "false",
            ["Retrieval:Demo:Enabled"] = "false",
            ["Retrieval:Ingestion:ChunkTokens"] = chunkTokens.ToString(CultureInfo.InvariantCulture),
            ["Retrieval:Ingestion:OverlapTokens"] = overlapTokens.ToString(CultureInfo.InvariantCulture),
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddRetrieval(configuration);
        return services.BuildServiceProvider();
    }

    public static async Task<int> RunIngestAsync(string[] args)
    {
        var datasets = BenchCorpus.FindDatasets(args.Contains("--datasets") ? BenchCorpus.Arg(args, "--datasets", "") : null);
        var count = BenchCorpus.IntArg(args, "--docs", 400);
        var models = BenchCorpus.Arg(args, "--models", "arctic-xs,minilm").Split(',');
        var docs = BenchCorpus.SciFact(datasets).Take(count).ToList();
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Ingestion of the first {docs.Count} SciFact abstracts (default chunking 256/32, parallelism 2), {Environment.ProcessorCount} cores");
        report.AppendLine("| model | documents | chunks | tokens | pipeline s | pipeline tokens/s | pipeline chunks/s | embedding-only tokens/s | pipeline ÷ embedding-only |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var model in models)
        {
            var store = Directory.CreateTempSubdirectory("retrieval-bench-ingest-").FullName;
            try
            {
                await using var services = BuildServices(store, model, 256, 32);
                await services.GetRequiredService<IDocumentStore>().InitializeAsync(CancellationToken.None);
                var ingestor = services.GetRequiredService<DocumentIngestor>();
                var generator = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
                _ = services.GetRequiredService<IEmbeddingModelInfo>();

                // Warm up the session (first runs allocate) on documents outside the measured set.
                foreach (var warm in BenchCorpus.SciFact(datasets).Skip(count).Take(8))
                {
                    await ingestor.IngestAsync(Tenant, Input(warm, 0), CancellationToken.None);
                }

                long chunks = 0, tokens = 0;
                var watch = Stopwatch.StartNew();
                // Index 0 gives a public ACL: this measures throughput, and the chunks are read back below.
                await Parallel.ForEachAsync(docs.Select((d, i) => (d, i)), new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (item, ct) =>
                {
                    var result = await ingestor.IngestAsync(Tenant, Input(item.d, 0), ct);
                    Interlocked.Add(ref chunks, result.Chunks);
                    Interlocked.Add(ref tokens, result.Tokens);
                });
                var pipeline = watch.Elapsed.TotalSeconds;

                // The generator alone over the same chunk texts, in the pipeline's batch size.
                var store2 = services.GetRequiredService<IDocumentStore>();
                var filter = new Retrieval.Core.Security.Principal(Tenant, "bench", [], new HashSet<string>()).ToAclFilter();
                var texts = new List<string>();
                foreach (var doc in docs)
                {
                    var record = await store2.GetReadableAsync(filter, doc.Id, CancellationToken.None);
                    var ids = Enumerable.Range(0, record!.ChunkCount).Select(o => Retrieval.Core.Documents.ChunkId.For(Tenant, doc.Id, record.Version, o)).ToList();
                    texts.AddRange((await store2.GetChunksAsync(filter, ids, CancellationToken.None)).Select(c => c.Chunk.Text));
                }

                watch.Restart();
                foreach (var batch in texts.Chunk(32))
                {
                    await generator.GenerateAsync(batch);
                }

                var embedOnly = watch.Elapsed.TotalSeconds;
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"| {model} | {docs.Count} | {chunks} | {tokens} | {pipeline:F1} | {tokens / pipeline:F0} | {chunks / pipeline:F1} | {tokens / embedOnly:F0} | {embedOnly / pipeline:P0} |");
                report.AppendLine(line);
                Console.WriteLine(line);
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(store, recursive: true);
            }
        }

        Console.WriteLine();
        Console.WriteLine(report);
        return 0;
    }

    public static async Task<int> RunCorpusAsync(string[] args)
    {
        var datasets = BenchCorpus.FindDatasets(args.Contains("--datasets") ? BenchCorpus.Arg(args, "--datasets", "") : null);
        var store = Path.GetFullPath(BenchCorpus.Arg(args, "--store", "/tmp/retrieval-bench-store"));
        var model = BenchCorpus.Arg(args, "--model", "arctic-xs");
        var chunkTokens = BenchCorpus.IntArg(args, "--chunk-tokens", 64);
        var overlap = BenchCorpus.IntArg(args, "--overlap-tokens", 16);
        await using var services = BuildServices(store, model, chunkTokens, overlap);
        var documentStore = services.GetRequiredService<IDocumentStore>();
        await documentStore.InitializeAsync(CancellationToken.None);
        var ingestor = services.GetRequiredService<DocumentIngestor>();
        var docs = BenchCorpus.Select(datasets, args.Contains("--sources") ? BenchCorpus.Arg(args, "--sources", "") : null).Select((d, i) => (d, i)).ToList();
        Console.WriteLine($"Indexing {docs.Count} documents into {store} ({model}, chunks of {chunkTokens} tokens, overlap {overlap})");
        var watch = Stopwatch.StartNew();
        long done = 0, chunks = 0, tokens = 0;
        await Parallel.ForEachAsync(docs, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (item, ct) =>
        {
            try
            {
                var result = await ingestor.IngestAsync(Tenant, Input(item.d, item.i), ct);
                Interlocked.Add(ref chunks, result.Chunks);
                Interlocked.Add(ref tokens, result.Tokens);
            }
            catch (Retrieval.Core.ValidationException ex)
            {
                Console.WriteLine($"skipped {item.d.Id}: {ex.Message}");
            }

            var n = Interlocked.Increment(ref done);
            if (n % 1000 == 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{n}/{docs.Count} documents, {Interlocked.Read(ref chunks)} chunks, {watch.Elapsed.TotalMinutes:F1} min"));
            }
        });
        var stats = await documentStore.GetStatisticsAsync(CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Store {store}: {stats.Documents} documents, {stats.Chunks} chunks; this run {chunks} chunks, {tokens} tokens in {watch.Elapsed.TotalMinutes:F1} min ({tokens / watch.Elapsed.TotalSeconds:F0} tokens/s)"));
        return 0;
    }

    private static DocumentInput Input(BenchDocument doc, int index) => new(
        doc.Id, doc.Id, doc.Title, Encoding.UTF8.GetBytes(doc.Title + "\n\n" + doc.Text), "text/plain", BenchCorpus.AclFor(index),
        new Dictionary<string, string>());
}
