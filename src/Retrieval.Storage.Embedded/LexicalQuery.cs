using System.Text;
using System.Text.RegularExpressions;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// Turns user text into a safe FTS5 query: words (letters, digits, combining marks) minus English stopwords, each as a
/// quoted string joined with OR. Nothing the user types is ever read as FTS5 syntax (NEAR, AND, column filters, *, ^).
/// </summary>
internal static partial class LexicalQuery
{
    /// <summary>Bounds the cost of one query; longer input keeps its first distinct terms.</summary>
    public const int MaxTerms = 64;

    /// <summary>Lucene's (and Anserini's) default English stopword set, 33 words.</summary>
    public static readonly IReadOnlySet<string> Stopwords = new HashSet<string>(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
        "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with",
    };

    /// <summary>The terms of <paramref name="text"/>: lower-cased, distinct, in order, without stopwords.</summary>
    public static IReadOnlyList<string> Terms(string? text)
    {
        var terms = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return terms;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var match in Word().EnumerateMatches(text))
        {
            var term = text.Substring(match.Index, match.Length).ToLowerInvariant();
            if (!Stopwords.Contains(term) && seen.Add(term))
            {
                terms.Add(term);
                if (terms.Count == MaxTerms)
                {
                    break;
                }
            }
        }

        return terms;
    }

    /// <summary>The FTS5 MATCH expression, or null when the text has no searchable term.</summary>
    public static string? ToMatchExpression(string? text)
    {
        var terms = Terms(text);
        if (terms.Count == 0)
        {
            return null;
        }

        var builder = new StringBuilder();
        foreach (var term in terms)
        {
            if (builder.Length > 0)
            {
                builder.Append(" OR ");
            }

            builder.Append('"').Append(term.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
