namespace Retrieval.Eval.Metrics;

/// <summary>Reciprocal rank of the first relevant document (gain &gt; 0) within the top k; 0 when there is none.</summary>
public static class ReciprocalRank
{
    public static double AtK(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> gains, int k)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(gains);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        for (var i = 0; i < Math.Min(k, ranked.Count); i++)
        {
            if (gains.GetValueOrDefault(ranked[i]) > 0)
            {
                return 1.0 / (i + 1);
            }
        }

        return 0;
    }
}
