using System.Globalization;
using System.Text;
using Retrieval.Core.Query;

namespace Retrieval.Storage.Qdrant;

/// <summary>
/// Turns text into index terms for the sparse (BM25) vectors, the same way for chunks and queries, and as close to
/// the embedded store's FTS5 tokenizer (<c>porter unicode61 remove_diacritics 2</c>) as is cheap: words of letters,
/// digits and combining marks; lower-cased; diacritics removed; Lucene's 33 English stop words dropped; Porter
/// stemming. Nothing the user types is read as syntax: a query is only ever a bag of these terms.
/// </summary>
internal static class LexicalAnalyzer
{
    /// <summary>Bounds the cost of one query; longer input keeps its first distinct terms.</summary>
    public const int MaxQueryTerms = LexicalTerms.MaxQueryTerms;

    /// <summary>Every term of <paramref name="text"/>, in order, repeats included (term frequencies count them).</summary>
    public static IReadOnlyList<string> Terms(string? text) =>
        [.. LexicalTerms.Words(text).Select(StripDiacritics).Where(term => term.Length > 0 && !LexicalTerms.Stopwords.Contains(term)).Select(PorterStemmer.Stem)];

    /// <summary>The distinct terms of a query, in order, at most <see cref="MaxQueryTerms"/>.</summary>
    public static IReadOnlyList<string> QueryTerms(string? query) => LexicalTerms.Distinct(Terms(query));

    /// <summary>Strips combining marks from a lower-cased word after canonical decomposition: "naïve" → "naive".</summary>
    private static string StripDiacritics(string lower)
    {
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
}
