using Retrieval.Eval.Metrics;

namespace Retrieval.Eval.Tests;

public class MetricTests
{
    private static Dictionary<string, int> Gains(params (string Id, int Gain)[] gains) => gains.ToDictionary(g => g.Id, g => g.Gain);

    [Fact]
    public void Ndcg_BinaryGains_MatchesHandComputedValue()
    {
        // Relevant d1, d2; ranking d3, d1, d4, d2. DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068 = 1.06161.
        // IDCG = 1 + 1/log2(3) = 1.63093. nDCG = 0.65092.
        var ndcg = Ndcg.AtK(["d3", "d1", "d4", "d2"], Gains(("d1", 1), ("d2", 1)), 10);
        Assert.Equal(0.65092, ndcg, 5);
    }

    [Fact]
    public void Ndcg_GradedGains_UsesLinearGainAndIdealFromAllJudged()
    {
        // Gains a=3, b=2, c=1 (c not retrieved). Ranking b, x, a.
        // DCG = 2/1 + 0 + 3/2 = 3.5; IDCG = 3 + 2/log2(3) + 1/2 = 3 + 1.261860 + 0.5 = 4.761860; nDCG = 0.735007.
        var ndcg = Ndcg.AtK(["b", "x", "a"], Gains(("a", 3), ("b", 2), ("c", 1)), 10);
        Assert.Equal(0.735007, ndcg, 6);
    }

    [Fact]
    public void Ndcg_CutsAtK_IgnoresLaterRelevantDocuments()
    {
        var ranking = Enumerable.Range(0, 10).Select(i => "n" + i).Append("rel").ToList();
        Assert.Equal(0, Ndcg.AtK(ranking, Gains(("rel", 1)), 10));
        Assert.Equal(1, Ndcg.AtK(["rel"], Gains(("rel", 1), ("bad", 0), ("neg", -1)), 10), 10);
    }

    [Fact]
    public void ReciprocalRank_FirstRelevantAtThree_IsOneThird()
    {
        Assert.Equal(1.0 / 3, ReciprocalRank.AtK(["a", "b", "c", "d"], Gains(("c", 1), ("d", 2)), 10), 10);
        Assert.Equal(0, ReciprocalRank.AtK(["a", "b", "c"], Gains(("c", 1)), 2));
        Assert.Equal(0, ReciprocalRank.AtK(["a", "b"], Gains(("a", 0), ("b", -1)), 10));
    }

    [Fact]
    public void Recall_CountsFractionOfRelevantInTopK()
    {
        var gains = Gains(("a", 1), ("b", 1), ("c", 2), ("z", 0));
        Assert.Equal(1.0 / 3, Recall.AtK(["a", "x", "b", "c"], gains, 2), 10);
        Assert.Equal(2.0 / 3, Recall.AtK(["a", "x", "b", "c"], gains, 3), 10);
        Assert.Equal(1.0, Recall.AtK(["a", "x", "b", "c"], gains, 100), 10);
        Assert.Equal(0, Recall.AtK(["a"], Gains(("a", 0)), 5));
    }

    [Fact]
    public void BalancedAccuracy_IsMeanOfClassRates()
    {
        // 3 positives: 2 found (TPR 2/3); 2 negatives: 1 rejected (TNR 1/2). BA = 7/12.
        var outcomes = new[] { (true, true), (true, true), (true, false), (false, false), (false, true) };
        Assert.Equal(7.0 / 12, BalancedAccuracy.Compute(outcomes), 10);
    }

    [Fact]
    public void BalancedAccuracy_ConstantPredictor_IsOneHalfOnSkewedLabels()
    {
        var outcomes = Enumerable.Repeat((true, true), 90).Concat(Enumerable.Repeat((false, true), 10));
        Assert.Equal(0.5, BalancedAccuracy.Compute(outcomes), 10);
    }

    [Fact]
    public void Percentile_InterpolatesLinearly()
    {
        double[] values = [10, 20, 30, 40];
        Assert.Equal(25, Percentile.Of(values, 50), 10);
        Assert.Equal(38.5, Percentile.Of(values, 95), 10);
        Assert.Equal(10, Percentile.Of(values, 0), 10);
    }

    [Theory]
    [InlineData("It was G. Stanley Hall, in 1892.", "G. Stanley Hall", true)]
    [InlineData("The answer is The Beatles!", "beatles", true)]
    [InlineData("Built in 1935.", "35", false)]
    [InlineData("There are 35 stores.", "35", true)]
    [InlineData("Nothing relevant.", "Hall", false)]
    public void AnswerMatch_NormalizesAndMatchesWholeWords(string answer, string gold, bool expected)
    {
        Assert.Equal(expected, AnswerMatch.ContainsGold(answer, gold, []));
    }

    [Fact]
    public void AnswerMatch_AcceptsAnAlias()
    {
        Assert.True(AnswerMatch.ContainsGold("Stanley Hall founded it.", "G. Stanley Hall", ["Stanley Hall"]));
    }
}
