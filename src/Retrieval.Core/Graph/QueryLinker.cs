namespace Retrieval.Core.Graph;

/// <summary>
/// Links a query to entities by dictionary match: every n-gram (up to <see cref="MaxWords"/> words) of the query is
/// normalized like entity names and looked up among the names and aliases of the entities the caller may read. Longer
/// matches win: the words of a matched span do not also link on their own ("Journal of Psychotherapy Integration" does
/// not also seed "Psychotherapy").
/// </summary>
public static class QueryLinker
{
    public const int MaxWords = 6;

    /// <summary>The candidate spans of a query: word ranges with their normalized keys (non-trivial only).</summary>
    public static IReadOnlyList<QuerySpan> Spans(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var words = Words(query);
        var spans = new List<QuerySpan>();
        for (var start = 0; start < words.Count; start++)
        {
            for (var length = 1; length <= MaxWords && start + length <= words.Count; length++)
            {
                var first = words[start];
                var last = words[start + length - 1];
                var key = EntityNames.Normalize(query.AsSpan(first.Start, last.End - first.Start));
                if (!EntityNames.IsTrivial(key))
                {
                    spans.Add(new QuerySpan(start, length, key));
                }
            }
        }

        return spans;
    }

    /// <summary>Chooses, longest first, non-overlapping spans that matched; returns the matched keys in query order.</summary>
    public static IReadOnlyList<QuerySpan> Select(IReadOnlyList<QuerySpan> spans, IReadOnlySet<string> matchedKeys)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(matchedKeys);
        var taken = new HashSet<int>();
        var chosen = new List<QuerySpan>();
        foreach (var span in spans.Where(s => matchedKeys.Contains(s.Key)).OrderByDescending(s => s.Length).ThenBy(s => s.Start))
        {
            if (Enumerable.Range(span.Start, span.Length).Any(taken.Contains))
            {
                continue;
            }

            chosen.Add(span);
            taken.UnionWith(Enumerable.Range(span.Start, span.Length));
        }

        return [.. chosen.OrderBy(s => s.Start)];
    }

    private static List<(int Start, int End)> Words(string text)
    {
        var words = new List<(int, int)>();
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && (char.IsLetterOrDigit(text[i])
                || (text[i] is '-' or '\'' or '’' or '.' or '&' && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]))))
            {
                i++;
            }

            words.Add((start, i));
        }

        return words;
    }
}

/// <summary>Words <see cref="Start"/>..<see cref="Start"/>+<see cref="Length"/> of a query, normalized to <see cref="Key"/>.</summary>
public sealed record QuerySpan(int Start, int Length, string Key);
