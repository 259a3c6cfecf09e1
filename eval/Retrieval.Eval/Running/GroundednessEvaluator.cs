using Retrieval.Core.Answering;
using Retrieval.Core.Ingestion.Chunking;
using Retrieval.Eval.Datasets;
using Retrieval.Eval.Metrics;
using Retrieval.Eval.Reports;

namespace Retrieval.Eval.Running;

/// <summary>
/// Judges the service's own answer-support scorer (<see cref="AnswerVerifier.Score"/>) as a hallucination detector
/// against human labels. A claim of several sentences is as supported as its weakest sentence.
/// </summary>
public static class GroundednessEvaluator
{
    public const string Detector = "answer-verifier (lexical coverage)";

    public static GroundednessReport Run(string datasetName, string format, IReadOnlyList<GroundednessExample> examples, double threshold, IEvalProgress progress)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(progress);
        var task = progress.Begin($"Scoring {examples.Count:N0} {datasetName} claims", examples.Count);
        var scored = new (string Group, bool Actual, double Score)[examples.Count];
        Parallel.For(0, examples.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var example = examples[i];
            scored[i] = (example.Group, example.Consistent, ClaimScore(example.Claim, example.Document));
            task.Increment();
        });
        task.Complete();
        return Summarize(datasetName, format, scored, threshold, Detector,
            "claim score = minimum over its sentences of AnswerVerifier.Score(sentence, document); consistent when score >= threshold");
    }

    /// <summary>
    /// Judges every claim with the service's answer judge as it runs in an ask (the LLM judge with its deterministic
    /// floor and lexical fallback): the document is source [1], each claim sentence cites it, and the claim is
    /// consistent when every sentence is supported (score 1, else 0; threshold 0.5).
    /// </summary>
    public static async Task<GroundednessReport> RunWithJudgeAsync(
        string datasetName, string format, IReadOnlyList<GroundednessExample> examples, IAnswerJudge judge, int parallelism, IEvalProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(progress);
        var task = progress.Begin($"Judging {examples.Count:N0} {datasetName} claims ({judge.Name})", examples.Count);
        var scored = new (string Group, bool Actual, double Score)[examples.Count];
        var fallbacks = 0;
        await Parallel.ForAsync(0, examples.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (i, token) =>
        {
            var example = examples[i];
            var report = await JudgeClaimAsync(judge, example.Claim, example.Document, token).ConfigureAwait(false);
            scored[i] = (example.Group, example.Consistent, report.Sentences.Count > 0 && report.Sentences.All(s => s.Supported) ? 1 : 0);
            if (report.JudgeFallback is not null)
            {
                Interlocked.Increment(ref fallbacks);
            }

            task.Increment();
        }).ConfigureAwait(false);
        task.Complete();
        return Summarize(datasetName, format, scored, 0.5, $"answer judge '{judge.Name}' (LLM verdicts over the deterministic floor)",
            "the document is source [1] and every claim sentence cites it; consistent when the judge finds every sentence supported (score 1, else 0)")
            with { JudgeFallbacks = fallbacks };
    }

    /// <summary>The claim as an answer whose every sentence cites the document as source [1], judged as an ask would judge it.</summary>
    public static Task<SupportReport> JudgeClaimAsync(IAnswerJudge judge, string claim, string document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(document);
        var sentences = SentenceSplitter.Split(claim).Select(r => claim[r].Trim()).Where(s => s.Length > 0);
        var answer = string.Join(" ", sentences.Select(s => AnswerText.WithCitation(s, [1])));
        return judge.JudgeAsync(answer, [new AnswerSource(1, "document", "document", string.Empty, document)], cancellationToken);
    }

    /// <summary>Every <c>count / limit</c>-th example: a deterministic subset that keeps each domain's share.</summary>
    public static IReadOnlyList<GroundednessExample> Spaced(IReadOnlyList<GroundednessExample> examples, int limit)
    {
        ArgumentNullException.ThrowIfNull(examples);
        return limit >= examples.Count ? examples : Enumerable.Range(0, limit).Select(i => examples[(int)((long)i * examples.Count / limit)]).ToList();
    }

    private static GroundednessReport Summarize(
        string datasetName, string format, (string Group, bool Actual, double Score)[] scored, double threshold, string detector, string aggregation)
    {
        var groups = scored.GroupBy(s => s.Group, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var atService = groups.ToDictionary(g => g.Key, g => Accuracy(g.ToList(), threshold), StringComparer.Ordinal);

        // Honest threshold selection: choose on even positions of each domain, report on odd positions.
        var heldThresholds = new Dictionary<string, double>(StringComparer.Ordinal);
        var heldGroups = new Dictionary<string, GroupAccuracy>(StringComparer.Ordinal);
        var oracleThresholds = new Dictionary<string, double>(StringComparer.Ordinal);
        var oracleGroups = new Dictionary<string, GroupAccuracy>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var all = group.ToList();
            var tune = all.Where((_, i) => i % 2 == 0).ToList();
            var test = all.Where((_, i) => i % 2 == 1).ToList();
            heldThresholds[group.Key] = BestThreshold(tune);
            heldGroups[group.Key] = Accuracy(test, heldThresholds[group.Key]);
            oracleThresholds[group.Key] = BestThreshold(all);
            oracleGroups[group.Key] = Accuracy(all, oracleThresholds[group.Key]);
        }

        return new GroundednessReport
        {
            Dataset = datasetName,
            Detector = detector,
            Format = format,
            Threshold = threshold,
            Aggregation = aggregation,
            Groups = atService,
            MeanBalancedAccuracy = MeanOf(atService),
            HeldOut = new ThresholdedResult(
                "threshold chosen per domain on even-position examples, balanced accuracy on odd-position examples",
                heldThresholds, heldGroups, MeanOf(heldGroups)),
            Oracle = new ThresholdedResult(
                "ORACLE upper bound: best threshold per domain chosen on all of its examples (not a deployable number)",
                oracleThresholds, oracleGroups, MeanOf(oracleGroups)),
        };
    }

    /// <summary>The weakest sentence's support: one unsupported sentence makes the claim unsupported.</summary>
    public static double ClaimScore(string claim, string document)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(document);
        var sentences = SentenceSplitter.Split(claim).Select(r => claim[r].Trim()).Where(s => s.Length > 0).ToList();
        return sentences.Count == 0 ? 0 : sentences.Min(s => AnswerVerifier.Score(s, document));
    }

    /// <summary>The threshold that maximizes balanced accuracy (the smallest one on ties).</summary>
    public static double BestThreshold(IReadOnlyList<(string Group, bool Actual, double Score)> scored)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var candidates = scored.Select(s => s.Score).Append(0).Append(1.0001).Distinct().Order();
        var best = (Threshold: 0.0, Accuracy: -1.0);
        foreach (var candidate in candidates)
        {
            var accuracy = BalancedAccuracy.Compute(scored.Select(s => (s.Actual, s.Score >= candidate)));
            if (accuracy > best.Accuracy + 1e-12)
            {
                best = (candidate, accuracy);
            }
        }

        return best.Threshold;
    }

    private static GroupAccuracy Accuracy(IReadOnlyList<(string Group, bool Actual, double Score)> scored, double threshold) => new(
        scored.Count,
        Math.Round(BalancedAccuracy.Compute(scored.Select(s => (s.Actual, s.Score >= threshold))), 4),
        scored.Count(s => s.Actual));

    private static double MeanOf(Dictionary<string, GroupAccuracy> groups) =>
        groups.Count == 0 ? 0 : Math.Round(groups.Values.Average(g => g.BalancedAccuracy), 4);
}
