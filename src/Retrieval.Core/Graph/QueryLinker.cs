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

    /// <summary>
    /// The candidate spans of a query: word ranges with their normalized keys (non-trivial only). With
    /// <paramref name="namesOnly"/>, a query that uses capitals (beyond its first letter) is taken at its word: only spans
    /// that look like names link — the first word has a capital or a digit ("Bubye River", "UK", "p53"), and a span at the
    /// start of a sentence needs more than the capital every sentence starts with. The extractor builds entities from
    /// capitalized text only, so a lower-case phrase of a cased query ("breast cancer") is a common noun, not a name. An
    /// all-lower-case query is matched without regard to case.
    /// </summary>
    public static IReadOnlyList<QuerySpan> Spans(string query, bool namesOnly = false)
    {
        ArgumentNullException.ThrowIfNull(query);
        var words = Words(query);
        var cased = namesOnly && IsCased(query);
        var spans = new List<QuerySpan>();
        for (var start = 0; start < words.Count; start++)
        {
            var sentenceStart = start == 0 || EndsSentence(query, words[start - 1].End, words[start].Start);
            for (var length = 1; length <= MaxWords && start + length <= words.Count; length++)
            {
                var first = words[start];
                var last = words[start + length - 1];
                if (cased && !LooksLikeName(query, words, start, length, sentenceStart))
                {
                    continue;
                }

                var key = EntityNames.Normalize(query.AsSpan(first.Start, last.End - first.Start));
                if (!EntityNames.IsTrivial(key))
                {
                    spans.Add(new QuerySpan(start, length, key));
                }
            }
        }

        return spans;
    }

    private static bool IsCased(string query)
    {
        var seenLetter = false;
        foreach (var c in query)
        {
            if (seenLetter && char.IsUpper(c))
            {
                return true;
            }

            seenLetter |= char.IsLetter(c);
        }

        return false;
    }

    private static bool EndsSentence(string query, int previousEnd, int start)
    {
        for (var i = previousEnd; i < start; i++)
        {
            if (query[i] is '.' or '?' or '!' or ':' or ';')
            {
                return true;
            }
        }

        return false;
    }

    private static bool LooksLikeName(string query, List<(int Start, int End)> words, int start, int length, bool sentenceStart)
    {
        var (firstStart, firstEnd) = words[start];
        if (!sentenceStart)
        {
            return HasCapitalOrDigit(query, firstStart, firstEnd);
        }

        // At a sentence start the first capital says nothing: a capital or digit inside the first word, or a further
        // capitalized word in the span, does.
        if (HasCapitalOrDigit(query, firstStart + 1, firstEnd))
        {
            return true;
        }

        for (var w = start + 1; w < start + length; w++)
        {
            if (char.IsUpper(query[words[w].Start]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasCapitalOrDigit(string query, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (char.IsUpper(query[i]) || char.IsDigit(query[i]))
            {
                return true;
            }
        }

        return false;
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
