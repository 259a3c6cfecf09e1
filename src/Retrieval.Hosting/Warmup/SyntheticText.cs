namespace Retrieval.Hosting.Warmup;

/// <summary>
/// Fixed synthetic texts for the warm-up: common English words (so the BM25 query has postings to score) in lengths
/// that give the embedding model several sequence shapes. Deterministic, and derived from no stored data.
/// </summary>
internal static class SyntheticText
{
    /// <summary>Query lengths in words: short keyword queries up to long questions.</summary>
    public static readonly int[] QueryWords = [2, 4, 7, 11, 16, 24, 36];

    /// <summary>Passage lengths in words, up to about a full chunk.</summary>
    public static readonly int[] PassageWords = [12, 40, 90, 160, 240];

    private static readonly string[] Words =
    [
        "what", "year", "was", "the", "first", "city", "river", "history", "population", "country", "music", "album", "film",
        "company", "university", "government", "team", "season", "war", "king", "who", "founded", "largest", "state", "born",
        "played", "known", "in", "of", "and", "which", "national", "record", "language", "church", "station", "island", "school",
    ];

    /// <summary>The <paramref name="index"/>-th text of <paramref name="words"/> words (different indexes, different texts).</summary>
    public static string Of(int words, int index)
    {
        var parts = new string[words];
        for (var i = 0; i < words; i++)
        {
            parts[i] = Words[(index * 7 + i * 13 + i / Words.Length) % Words.Length];
        }

        return string.Join(' ', parts);
    }
}
