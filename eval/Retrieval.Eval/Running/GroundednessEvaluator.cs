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
            Detector = Detector,
            Format = format,
            Threshold = threshold,
            Aggregation = "claim score = minimum over its sentences of AnswerVerifier.Score(sentence, document); consistent when score >= threshold",
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
