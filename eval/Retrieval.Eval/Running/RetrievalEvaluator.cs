using System.Diagnostics;
using Retrieval.Core;
using Retrieval.Core.Query;
using Retrieval.Eval.Datasets;
using Retrieval.Eval.Metrics;
using Retrieval.Eval.Reports;

namespace Retrieval.Eval.Running;

/// <summary>
/// Indexes a dataset's corpus through the service and runs every judged query through <see cref="HybridSearcher"/>
/// in each mode, then scores the document rankings.
/// </summary>
public static class RetrievalEvaluator
{
    /// <summary>Chunk hits requested per query: enough for 100 distinct documents when documents have several chunks.</summary>
    public const int DefaultChunkDepth = 200;

    public static async Task<RetrievalReport> RunAsync(
        EvalServices services,
        RetrievalDataset dataset,
        IReadOnlyList<RetrievalMode> modes,
        RetrievalRunOptions options,
        IEvalProgress progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(modes);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var indexing = await CorpusIndexer.IndexAsync(services, dataset.Name, dataset.Corpus, progress, cancellationToken);
        var queries = SelectQueries(dataset.JudgedQueries().Take(options.LimitQueries ?? int.MaxValue).ToList(), options.Queries);
        var searcher = services.Get<HybridSearcher>();
        var results = new Dictionary<string, ModeMetrics>(StringComparer.Ordinal);
        var failed = 0;
        foreach (var mode in modes)
        {
            var task = progress.Begin($"Querying {mode.Name()} ({queries.Count:N0} queries)", queries.Count);
            var run = await RunModeAsync(searcher, queries, mode, options.ChunkDepth, task, cancellationToken);
            failed += run.Failed;
            results[mode.Name()] = Score(run.Rankings, run.LatenciesMs, queries, dataset);
            task.Complete();
        }

        FusionTuning? tuning = null;
        if (options.TuneFusion)
        {
            tuning = await TuneFusionAsync(services, searcher, queries, dataset, options.ChunkDepth, progress, cancellationToken);
        }

        var query = services.QueryOptions;
        var ingestion = services.IngestionOptions;
        return new RetrievalReport
        {
            Dataset = dataset.Name,
            Split = dataset.Split,
            Corpus = dataset.Corpus.Count,
            Queries = queries.Count,
            QuerySubset = options.Queries,
            Model = services.ModelId,
            Modes = results,
            Format = dataset.Format,
            ExecutionProvider = services.ExecutionProvider,
            ChunkDepth = options.ChunkDepth,
            Fusion = new FusionSettings(query.DenseWeight, query.LexicalWeight, query.GraphWeight, query.RrfK, Math.Max(options.ChunkDepth, query.CandidatesPerRetriever)),
            Store = new StoreInfo(
                services.StoreDisplayPath, indexing.Reused, indexing.Documents, indexing.Chunks, indexing.Failures.Count,
                Math.Round(indexing.Seconds, 1), ingestion.ChunkTokens, ingestion.OverlapTokens),
            FailedQueries = failed,
            FusionTuning = tuning,
        };
    }

    /// <summary>
    /// <c>tune</c>: the even-position queries, <c>heldout</c>: the odd-position ones (the halves <c>--tune-fusion</c> uses),
    /// so that settings chosen on one half can be reported on the other; <c>all</c>: every query.
    /// </summary>
    public static IReadOnlyList<EvalQuery> SelectQueries(IReadOnlyList<EvalQuery> queries, string subset)
    {
        ArgumentNullException.ThrowIfNull(queries);
        return subset switch
        {
            "tune" => [.. queries.Where((_, i) => i % 2 == 0)],
            "heldout" => [.. queries.Where((_, i) => i % 2 == 1)],
            "all" => queries,
            _ => throw new ArgumentException($"Unknown query subset '{subset}'.", nameof(subset)),
        };
    }

    /// <summary>Documents in rank order, each once at its best-ranked chunk.</summary>
    public static IReadOnlyList<string> DocumentRanking(IEnumerable<string> chunkDocumentIds)
    {
        ArgumentNullException.ThrowIfNull(chunkDocumentIds);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return chunkDocumentIds.Where(seen.Add).ToList();
    }

    /// <summary>Mean metrics over the queries (each query's own judgments) plus latency percentiles.</summary>
    public static ModeMetrics Score(
        IReadOnlyList<IReadOnlyList<string>> rankings, IReadOnlyCollection<double> latenciesMs, IReadOnlyList<EvalQuery> queries, RetrievalDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(rankings);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(dataset);
        double ndcg = 0, mrr = 0, r2 = 0, r5 = 0, r10 = 0, r100 = 0;
        for (var i = 0; i < queries.Count; i++)
        {
            var gains = dataset.Qrels[queries[i].Id];
            var ranking = rankings[i];
            ndcg += Ndcg.AtK(ranking, gains, 10);
            mrr += ReciprocalRank.AtK(ranking, gains, 10);
            r2 += Recall.AtK(ranking, gains, 2);
            r5 += Recall.AtK(ranking, gains, 5);
            r10 += Recall.AtK(ranking, gains, 10);
            r100 += Recall.AtK(ranking, gains, 100);
        }

        var n = Math.Max(1, queries.Count);
        return new ModeMetrics(
            Round(ndcg / n), Round(mrr / n), Round(r2 / n), Round(r5 / n), Round(r10 / n), Round(r100 / n),
            new LatencySummary(Math.Round(Percentile.Of(latenciesMs, 50), 2), Math.Round(Percentile.Of(latenciesMs, 95), 2)));
    }

    private static async Task<ModeRun> RunModeAsync(
        HybridSearcher searcher, IReadOnlyList<EvalQuery> queries, RetrievalMode mode, int depth, IEvalProgressTask task, CancellationToken cancellationToken)
    {
        var rankings = new List<IReadOnlyList<string>>(queries.Count);
        var latencies = new List<double>(queries.Count);
        var failed = 0;
        foreach (var query in queries)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var result = await searcher.SearchAsync(EvalServices.Reader, query.Text, depth, mode, cancellationToken);
                latencies.Add(watch.Elapsed.TotalMilliseconds);
                rankings.Add(DocumentRanking(result.Results.Select(h => h.DocumentId)));
            }
            catch (ValidationException)
            {
                // A query the API would refuse (too long, nothing searchable) scores zero rather than vanishing from the mean.
                failed++;
                rankings.Add([]);
            }

            task.Increment();
        }

        return new ModeRun(rankings, latencies, failed);
    }

    /// <summary>
    /// A small grid over the fusion weights and RRF k. Queries alternate between a tuning half (even positions) and a
    /// held-out half (odd positions): the setting is chosen on the tuning half and judged on the other, so the reported gain
    /// is not the optimism of selecting on the numbers it reports.
    /// </summary>
    private static async Task<FusionTuning> TuneFusionAsync(
        EvalServices services, HybridSearcher searcher, IReadOnlyList<EvalQuery> queries, RetrievalDataset dataset, int depth,
        IEvalProgress progress, CancellationToken cancellationToken)
    {
        var original = services.QueryOptions;
        var (defaultDense, defaultLexical, defaultK) = (original.DenseWeight, original.LexicalWeight, original.RrfK);
        var tune = queries.Where((_, i) => i % 2 == 0).ToList();
        var heldOut = queries.Where((_, i) => i % 2 == 1).ToList();
        var grid = new List<(double Dense, double Lexical, int K)>();
        foreach (var k in new[] { 10, 30, 60 })
        {
            foreach (var (dense, lexical) in new[] { (1.0, 1.0), (1.0, 0.5), (0.5, 1.0), (1.0, 0.25), (0.25, 1.0) })
            {
                grid.Add((dense, lexical, k));
            }
        }

        if (!grid.Contains((defaultDense, defaultLexical, defaultK)))
        {
            grid.Insert(0, (defaultDense, defaultLexical, defaultK));
        }

        var task = progress.Begin($"Tuning fusion ({grid.Count} settings × {queries.Count:N0} queries)", grid.Count * queries.Count);
        var trials = new List<FusionTrial>(grid.Count);
        try
        {
            foreach (var (dense, lexical, k) in grid)
            {
                services.SetQueryOptions(dense, lexical, k);
                var tuneRun = await RunModeAsync(searcher, tune, RetrievalMode.Hybrid, depth, task, cancellationToken);
                var heldRun = await RunModeAsync(searcher, heldOut, RetrievalMode.Hybrid, depth, task, cancellationToken);
                var tuneMetrics = Score(tuneRun.Rankings, tuneRun.LatenciesMs, tune, dataset);
                var heldMetrics = Score(heldRun.Rankings, heldRun.LatenciesMs, heldOut, dataset);
                trials.Add(new FusionTrial(dense, lexical, k, tuneMetrics.Ndcg10, heldMetrics.Ndcg10, heldMetrics.Recall10));
            }
        }
        finally
        {
            services.SetQueryOptions(defaultDense, defaultLexical, defaultK);
            task.Complete();
        }

        var chosen = trials.OrderByDescending(t => t.TuneNdcg10).First();
        var baseline = trials.First(t => t.DenseWeight == defaultDense && t.LexicalWeight == defaultLexical && t.RrfK == defaultK);
        progress.Note($"Fusion tuning: chosen DenseWeight={chosen.DenseWeight}, LexicalWeight={chosen.LexicalWeight}, RrfK={chosen.RrfK} " +
            $"(held-out nDCG@10 {chosen.HeldOutNdcg10:0.0000} vs default {baseline.HeldOutNdcg10:0.0000}).");
        return new FusionTuning(
            "grid over DenseWeight/LexicalWeight × RrfK; chosen by nDCG@10 on even-position queries, reported on odd-position queries",
            trials, chosen, baseline);
    }

    private static double Round(double value) => Math.Round(value, 4);

    private sealed record ModeRun(IReadOnlyList<IReadOnlyList<string>> Rankings, IReadOnlyList<double> LatenciesMs, int Failed);
}

public sealed record RetrievalRunOptions
{
    public int? LimitQueries { get; init; }

    public int ChunkDepth { get; init; } = RetrievalEvaluator.DefaultChunkDepth;

    public bool TuneFusion { get; init; }

    /// <summary><c>all</c>, <c>tune</c> or <c>heldout</c> (see <see cref="RetrievalEvaluator.SelectQueries"/>).</summary>
    public string Queries { get; init; } = "all";
}
