using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Retrieval.Storage.Qdrant;

/// <summary>
/// Turns text into index terms for the sparse (BM25) vectors, the same way for chunks and queries, and as close to
/// the embedded store's FTS5 tokenizer (<c>porter unicode61 remove_diacritics 2</c>) as is cheap: words of letters,
/// digits and combining marks; lower-cased; diacritics removed; Lucene's 33 English stop words dropped; Porter
/// stemming. Nothing the user types is read as syntax: a query is only ever a bag of these terms.
/// </summary>
internal static partial class LexicalAnalyzer
{
    /// <summary>Bounds the cost of one query; longer input keeps its first distinct terms.</summary>
    public const int MaxQueryTerms = 64;

    /// <summary>Lucene's (and Anserini's) default English stop word set, as in the embedded store.</summary>
    public static readonly IReadOnlySet<string> Stopwords = new HashSet<string>(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
        "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
    };

    /// <summary>Every term of <paramref name="text"/>, in order, repeats included (term frequencies count them).</summary>
    public static IReadOnlyList<string> Terms(string? text)
    {
        var terms = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return terms;
        }

        foreach (var match in Word().EnumerateMatches(text))
        {
            var term = Normalize(text.AsSpan(match.Index, match.Length));
            if (term.Length > 0 && !Stopwords.Contains(term))
            {
                terms.Add(PorterStemmer.Stem(term));
            }
        }

        return terms;
    }

    /// <summary>The distinct terms of a query, in order, at most <see cref="MaxQueryTerms"/>.</summary>
    public static IReadOnlyList<string> QueryTerms(string? query)
    {
        var distinct = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var term in Terms(query))
        {
            if (seen.Add(term))
            {
                distinct.Add(term);
                if (distinct.Count == MaxQueryTerms)
                {
                    break;
                }
            }
        }

        return distinct;
    }

    /// <summary>Lower-cases (invariant) and strips combining marks after canonical decomposition: "Naïve" → "naive".</summary>
    private static string Normalize(ReadOnlySpan<char> word)
    {
        var lower = word.ToString().ToLowerInvariant();
        if (Ascii.IsValid(lower))
        {
            return lower;
        }

        var decomposed = lower.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark))
            {
                builder.Append(c);
            }
        }

        return builder.ToString().Normalize(NormalizationForm.FormC);
    }

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
