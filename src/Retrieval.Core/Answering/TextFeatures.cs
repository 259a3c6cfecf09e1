using System.Globalization;
using System.Text;

namespace Retrieval.Core.Answering;

/// <summary>Content words and numbers of a text, lower-cased and lightly stemmed, for overlap scoring.</summary>
public static class TextFeatures
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be",
        "because", "been", "before", "being", "between", "both", "but", "by", "can", "could", "did", "do", "does",
        "doing", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her",
        "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me",
        "more", "most", "my", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own",
        "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then",
        "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was",
        "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would",
        "you", "your", "yours", "s", "t", "d", "ll", "re", "ve", "m",
    };

    private static readonly HashSet<string> NegationWords = new(StringComparer.Ordinal)
    {
        "not", "no", "never", "none", "nor", "cannot", "without", "neither", "nobody", "nothing", "nowhere",
    };

    /// <summary>Lower-cased words (letters/digits runs, keeping inner '.' and ',' of numbers).</summary>
    public static IEnumerable<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var inNumber = builder.Length > 0 && char.IsDigit(builder[^1]) && (c is '.' or ',') && i + 1 < text.Length && char.IsDigit(text[i + 1]);
            if (char.IsLetterOrDigit(c) || inNumber)
            {
                if (c != ',')
                {
                    builder.Append(char.ToLowerInvariant(c));
                }
            }
            else if (c == '\'' && builder.Length > 0 && i + 1 < text.Length && char.IsLetter(text[i + 1]))
            {
                // "Scrooge's" → "scrooge" + "s" (dropped as a stop word); "don't" → "don" + "t".
                yield return builder.ToString();
                builder.Clear();
            }
            else if (builder.Length > 0)
            {
                yield return builder.ToString();
                builder.Clear();
            }
        }

        if (builder.Length > 0)
        {
            yield return builder.ToString();
        }
    }

    /// <summary>Distinct stemmed content words (stop words and negations removed).</summary>
    public static HashSet<string> ContentTerms(string text)
    {
        var terms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in Words(text))
        {
            if (!StopWords.Contains(word) && !NegationWords.Contains(word))
            {
                terms.Add(Stem(word));
            }
        }

        return terms;
    }

    /// <summary>Numbers in the text, normalized ("1,000" → "1000").</summary>
    public static HashSet<string> Numbers(string text)
    {
        var numbers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in Words(text))
        {
            if (double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                numbers.Add(value.ToString("R", CultureInfo.InvariantCulture));
            }
        }

        return numbers;
    }

    public static bool HasNegation(string text) => Words(text).Any(NegationWords.Contains);

    /// <summary>A light suffix stripper: enough to match "vaccines"/"vaccine" and "running"/"runs"/"run".</summary>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length <= 3 || word.Any(char.IsDigit))
        {
            return word;
        }

        foreach (var suffix in (ReadOnlySpan<string>)["ingly", "edly", "ing", "ies", "ied", "ed", "es", "ly", "s"])
        {
            if (word.Length - suffix.Length >= 3 && word.EndsWith(suffix, StringComparison.Ordinal))
            {
                var stem = word[..^suffix.Length];
                if (suffix is "ies" or "ied")
                {
                    return stem + "y";
                }

                // "running" → "runn" → "run"
                if (stem.Length >= 3 && stem[^1] == stem[^2] && suffix is "ing" or "ed")
                {
                    stem = stem[..^1];
                }

                return stem;
            }
        }

        return word;
    }
}
