using System.Globalization;
using System.Text;

namespace Retrieval.Core.Graph;

/// <summary>
/// Normalized entity names: the identity of an entity within a tenant and the key query text is linked by.
/// Case, diacritics, punctuation, possessives, leading articles and honorifics do not matter:
/// "The Journal of Mathematical Physics", "journal of mathematical physics" and "Journal of Mathematical-Physics"
/// share one key, as do "Mr. Scrooge's" and "Scrooge".
/// </summary>
public static class EntityNames
{
    /// <summary>Words a normalized name never starts with (articles) — dropped, as are honorifics.</summary>
    private static readonly HashSet<string> LeadingNoise = new(StringComparer.Ordinal)
    {
        "the", "a", "an", "mr", "mrs", "ms", "miss", "mx", "dr", "sir", "madam", "madame", "mister",
    };

    /// <summary>Common English function words (lower case): never an entity on their own, never a query link on their own.</summary>
    public static readonly IReadOnlySet<string> Stopwords = new HashSet<string>(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "against", "all", "also", "although", "am", "among", "an", "and", "another", "any",
        "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could",
        "did", "do", "does", "doing", "down", "during", "each", "either", "even", "ever", "every", "few", "for", "from", "further",
        "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "i",
        "if", "in", "into", "is", "it", "its", "itself", "just", "later", "least", "less", "let", "like", "many", "may", "me",
        "meanwhile", "might", "more", "most", "much", "must", "my", "myself", "neither", "never", "no", "nor", "not", "now", "of",
        "off", "often", "on", "once", "one", "only", "or", "other", "our", "ours", "out", "over", "own", "perhaps", "same",
        "several", "she", "should", "since", "so", "some", "still", "such", "than", "that", "the", "their", "theirs", "them",
        "themselves", "then", "there", "therefore", "these", "they", "this", "those", "though", "through", "thus", "to", "too",
        "under", "until", "up", "upon", "us", "very", "was", "we", "were", "what", "when", "where", "whereas", "whether", "which",
        "while", "who", "whom", "whose", "why", "will", "with", "within", "without", "would", "yes", "yet", "you", "your",
        "yours", "oh", "ah", "well", "first", "second", "third", "two", "three", "four", "five", "according", "despite", "chapter",
        "part", "section", "table", "figure", "note", "see", "said", "says", "new", "old",
    };

    /// <summary>The normalized key of a name, or an empty string when nothing name-like is left.</summary>
    public static string Normalize(ReadOnlySpan<char> name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.ToString().Normalize(NormalizationForm.FormD))
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
            {
                continue;
            }

            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (c is '\'' or '’' or '.')
            {
                // Dots join (U.S. → us); apostrophes are marked so a possessive can be dropped below.
                if (c != '.')
                {
                    builder.Append('\'');
                }
            }
            else if (c == '&')
            {
                builder.Append(" and ");
            }
            else
            {
                builder.Append(' ');
            }
        }

        var words = builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var result = new List<string>(words.Length);
        foreach (var raw in words)
        {
            var word = raw;
            if (word.EndsWith("'s", StringComparison.Ordinal))
            {
                word = word[..^2];
            }

            word = word.Replace("'", string.Empty, StringComparison.Ordinal);
            if (word.Length == 0 || (result.Count == 0 && LeadingNoise.Contains(word)))
            {
                continue;
            }

            result.Add(word);
        }

        return string.Join(' ', result);
    }

    public static string Normalize(string name) => Normalize((name ?? string.Empty).AsSpan());

    /// <summary>True for a key that should never be an entity or a query link by itself (empty, a stopword, one character, a number).</summary>
    public static bool IsTrivial(string key) =>
        key.Length <= 1 || Stopwords.Contains(key) || key.All(c => char.IsDigit(c) || c == ' ');
}
