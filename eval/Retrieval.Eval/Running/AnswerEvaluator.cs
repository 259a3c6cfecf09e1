using System.Diagnostics;
using Retrieval.Core;
using Retrieval.Core.Answering;
using Retrieval.Eval.Datasets;
using Retrieval.Eval.Metrics;
using Retrieval.Eval.Reports;

namespace Retrieval.Eval.Running;

/// <summary>
/// Asks every judged question through the service's <see cref="AskService"/> (hybrid retrieval → answer → verification)
/// and scores abstention, support, citations against the gold passages, and whether the gold answer appears.
/// </summary>
public static class AnswerEvaluator
{
    public static async Task<AnswersReport> RunAsync(
        EvalServices services, RetrievalDataset dataset, int? limitQuestions, int? topK, IEvalProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(progress);
        var indexing = await CorpusIndexer.IndexAsync(services, dataset.Name, dataset.Corpus, progress, cancellationToken);
        var questions = dataset.JudgedQueries().Take(limitQuestions ?? int.MaxValue).ToList();
        var ask = services.Get<AskService>();
        var task = progress.Begin($"Asking {questions.Count:N0} questions", questions.Count);
        var outcomes = new List<AnswerOutcome>(questions.Count);
        var latencies = new List<double>(questions.Count);
        string? generator = null;
        var judgeFallbacks = 0;
        foreach (var question in questions)
        {
            var watch = Stopwatch.StartNew();
            AnswerResult result;
            try
            {
                result = await ask.AskAsync(EvalServices.Reader, question.Text, topK, cancellationToken);
            }
            catch (ValidationException ex)
            {
                result = new AnswerResult(string.Empty, [], true, "refused: " + ex.Message, new SupportReport(0, []), "none", new Dictionary<string, double>());
            }

            latencies.Add(watch.Elapsed.TotalMilliseconds);
            generator ??= result.Generator;
            judgeFallbacks += result.Support.JudgeFallback is null ? 0 : 1;
            var gold = dataset.Qrels[question.Id].Where(p => p.Value > 0).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
            outcomes.Add(Judge(result, gold, question));
            task.Increment();
        }

        task.Complete();
        var ingestion = services.IngestionOptions;
        return Summarize(outcomes) with
        {
            Dataset = dataset.Name,
            Model = services.ModelId,
            Generator = generator,
            Judge = services.Get<IAnswerJudge>().Name,
            JudgeFallbacks = services.Get<IAnswerJudge>().Name == LexicalAnswerJudge.JudgeName ? null : judgeFallbacks,
            TopK = topK ?? Math.Min(5, services.QueryOptions.MaxTopK),
            LatencyMs = new LatencySummary(Math.Round(Percentile.Of(latencies, 50), 2), Math.Round(Percentile.Of(latencies, 95), 2)),
            Store = new StoreInfo(
                services.StoreDisplayPath, indexing.Reused, indexing.Documents, indexing.Chunks, indexing.Failures.Count,
                Math.Round(indexing.Seconds, 1), ingestion.ChunkTokens, ingestion.OverlapTokens),
        };
    }

    /// <summary>Scores one answer against the question's gold passages and gold answer.</summary>
    public static AnswerOutcome Judge(AnswerResult result, IReadOnlySet<string> goldDocuments, EvalQuery question)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(goldDocuments);
        ArgumentNullException.ThrowIfNull(question);
        var cited = result.Citations.Select(c => c.DocumentId).ToHashSet(StringComparer.Ordinal);
        var hits = cited.Count(goldDocuments.Contains);
        double? precision = result.Abstained || cited.Count == 0 ? null : (double)hits / cited.Count;
        double? recall = result.Abstained || goldDocuments.Count == 0 ? null : (double)hits / goldDocuments.Count;
        var contains = !result.Abstained && AnswerMatch.ContainsGold(result.Answer, question.Answer, question.AnswerAliases);
        return new AnswerOutcome(result.Abstained, result.Reason, result.Support.Ratio, precision, recall, contains);
    }

    public static AnswersReport Summarize(IReadOnlyList<AnswerOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var answered = outcomes.Where(o => !o.Abstained).ToList();
        return new AnswersReport
        {
            Dataset = string.Empty,
            Questions = outcomes.Count,
            Answered = answered.Count,
            Abstained = Round(Fraction(outcomes.Count(o => o.Abstained), outcomes.Count)),
            SupportRatio = Round(answered.Count == 0 ? 0 : answered.Average(o => o.SupportRatio)),
            CitationPrecision = Round(Mean(answered.Select(o => o.CitationPrecision))),
            CitationRecall = Round(Mean(answered.Select(o => o.CitationRecall))),
            AnswerContainsGold = Round(Fraction(outcomes.Count(o => o.ContainsGold), outcomes.Count)),
            AnswerContainsGoldWhenAnswered = Round(Fraction(answered.Count(o => o.ContainsGold), answered.Count)),
            AbstentionReasons = outcomes.Where(o => o.Abstained).GroupBy(o => o.Reason ?? "unknown")
                .OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
        };
    }

    private static double Mean(IEnumerable<double?> values)
    {
        var present = values.Where(v => v.HasValue).Select(v => v!.Value).ToList();
        return present.Count == 0 ? 0 : present.Average();
    }

    private static double Fraction(int count, int total) => total == 0 ? 0 : (double)count / total;

    private static double Round(double value) => Math.Round(value, 4);
}

public sealed record AnswerOutcome(bool Abstained, string? Reason, double SupportRatio, double? CitationPrecision, double? CitationRecall, bool ContainsGold);
