using Retrieval.Core.Storage;

namespace Retrieval.Core.Query;

/// <summary>One retriever's ranked list and its fusion weight.</summary>
public sealed record RankedList(string Retriever, double Weight, IReadOnlyList<ScoredChunk> Results);

/// <summary>A retriever's own score and 1-based rank for a fused result.</summary>
public sealed record RetrieverScore(double Score, int Rank);

public sealed record FusedResult(string ChunkId, double Score, IReadOnlyDictionary<string, RetrieverScore> Scores);

/// <summary>
/// Weighted reciprocal rank fusion (Cormack, Clarke &amp; Büttcher 2009): score = Σ w / (k + rank).
/// Rank-based, so retrievers with incomparable score scales (cosine, BM25) fuse without calibration.
/// </summary>
public static class ReciprocalRankFusion
{
    public static IReadOnlyList<FusedResult> Fuse(IReadOnlyList<RankedList> lists, int k, int topK)
    {
        ArgumentNullException.ThrowIfNull(lists);
        var fused = new Dictionary<string, (double Score, Dictionary<string, RetrieverScore> Scores)>(StringComparer.Ordinal);
        foreach (var list in lists)
        {
            for (var i = 0; i < list.Results.Count; i++)
            {
                var hit = list.Results[i];
                if (!fused.TryGetValue(hit.ChunkId, out var entry))
                {
                    entry = (0, new Dictionary<string, RetrieverScore>(StringComparer.Ordinal));
                }

                if (entry.Scores.ContainsKey(list.Retriever))
                {
                    continue; // a retriever that lists a chunk twice counts once, at its best rank
                }

                entry.Scores[list.Retriever] = new RetrieverScore(hit.Score, i + 1);
                entry.Score += list.Weight / (k + i + 1);
                fused[hit.ChunkId] = entry;
            }
        }

        return Order(fused.Select(pair => new FusedResult(pair.Key, pair.Value.Score, pair.Value.Scores))).Take(topK).ToList();
    }

    /// <summary>Best score first; ties by best single-retriever rank, then chunk id (deterministic).</summary>
    public static IEnumerable<FusedResult> Order(IEnumerable<FusedResult> results) =>
        results
            .OrderByDescending(r => r.Score)
            .ThenBy(r => BestRank(r), Comparer<int>.Default)
            .ThenBy(r => r.ChunkId, StringComparer.Ordinal);

    private static int BestRank(FusedResult result) => result.Scores.Values.Min(s => s.Rank);
}
