namespace Retrieval.Eval.Metrics;

/// <summary>
/// Normalized discounted cumulative gain at k with graded (linear) gains and the standard log2 discount, as trec_eval's
/// ndcg_cut: DCG = Σ gain(i) / log2(i + 1) for ranks i = 1..k; the ideal ranking orders all judged documents by gain.
/// </summary>
public static class Ndcg
{
    public static double AtK(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> gains, int k)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(gains);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var ideal = Dcg(gains.Values.Where(g => g > 0).OrderDescending().Take(k));
        if (ideal <= 0)
        {
            return 0;
        }

        var actual = Dcg(ranked.Take(k).Select(id => Math.Max(0, gains.GetValueOrDefault(id))));
        return actual / ideal;
    }

    private static double Dcg(IEnumerable<int> gains)
    {
        var sum = 0.0;
        var rank = 1;
        foreach (var gain in gains)
        {
            sum += gain / Math.Log2(rank + 1);
            rank++;
        }

        return sum;
    }
}
