namespace Retrieval.Eval.Metrics;

/// <summary>Fraction of a query's relevant documents (gain &gt; 0) found in the top k; 0 when it has none.</summary>
public static class Recall
{
    public static double AtK(IReadOnlyList<string> ranked, IReadOnlyDictionary<string, int> gains, int k)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        ArgumentNullException.ThrowIfNull(gains);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var relevant = gains.Count(p => p.Value > 0);
        if (relevant == 0)
        {
            return 0;
        }

        var found = ranked.Take(k).Distinct(StringComparer.Ordinal).Count(id => gains.GetValueOrDefault(id) > 0);
        return (double)found / relevant;
    }
}
