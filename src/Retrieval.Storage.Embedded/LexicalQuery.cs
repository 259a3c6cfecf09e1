using System.Text;
using Retrieval.Core.Query;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// Turns user text into a safe FTS5 query: the <see cref="LexicalTerms"/> words minus stop words, each as a quoted
/// string joined with OR. Nothing the user types is ever read as FTS5 syntax (NEAR, AND, column filters, *, ^).
/// </summary>
internal static class LexicalQuery
{
    /// <summary>The terms of <paramref name="text"/>: lower-cased, distinct, in order, without stopwords.</summary>
    public static IReadOnlyList<string> Terms(string? text) =>
        LexicalTerms.Distinct(LexicalTerms.Words(text).Where(word => !LexicalTerms.Stopwords.Contains(word)));

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
}
