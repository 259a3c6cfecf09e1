using System.Text.RegularExpressions;

namespace Retrieval.Core.Query;

/// <summary>
/// The word rules every lexical (BM25) index shares, so the embedded FTS5 index, PostgreSQL full-text search and
/// Qdrant's sparse vectors read a query the same way: a word is a run of letters, digits and combining marks starting
/// with a letter or digit; everything else (quotes, operators, column filters, wildcards) separates words and is never
/// read as syntax; stop words are Lucene's English set; a query keeps at most <see cref="MaxQueryTerms"/> distinct terms.
/// </summary>
public static partial class LexicalTerms
{
    /// <summary>Bounds the cost of one query; longer input keeps its first distinct terms.</summary>
    public const int MaxQueryTerms = 64;

    /// <summary>Lucene's (and Anserini's) default English stop word set, 33 words.</summary>
    public static readonly IReadOnlySet<string> Stopwords = new HashSet<string>(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
        "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
    };

    /// <summary>The words of <paramref name="text"/>, lower-cased (invariant), in order, repeats included.</summary>
    public static IReadOnlyList<string> Words(string? text)
    {
        var words = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return words;
        }

        foreach (var match in Word().EnumerateMatches(text))
        {
            words.Add(text.Substring(match.Index, match.Length).ToLowerInvariant());
        }

        return words;
    }

    /// <summary>The distinct <paramref name="terms"/> in order, at most <paramref name="max"/>.</summary>
    public static IReadOnlyList<string> Distinct(IEnumerable<string> terms, int max = MaxQueryTerms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var distinct = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var term in terms)
        {
            if (seen.Add(term))
            {
                distinct.Add(term);
                if (distinct.Count == max)
                {
                    break;
                }
            }
        }

        return distinct;
    }

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
