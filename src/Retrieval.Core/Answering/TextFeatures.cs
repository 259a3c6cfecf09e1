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

    /// <summary>
    /// Stemmed, lower-cased capitalized words that do not start the text or follow a full stop: names of people,
    /// places and organisations, as content terms (so they can be looked up in <see cref="ContentTerms"/>).
    /// </summary>
    public static HashSet<string> Names(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var sentenceStart = true;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (!char.IsLetter(c))
            {
                if (c is '.' or '!' or '?' or ':' or '"' or '\n' or '(' or '“')
                {
                    sentenceStart = true;
                }

                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && char.IsLetter(text[i]))
            {
                i++;
            }

            var word = text[start..i];
            if (!sentenceStart && char.IsUpper(word[0]) && word.Length > 1)
            {
                var lower = word.ToLowerInvariant();
                if (!StopWords.Contains(lower) && !NegationWords.Contains(lower))
                {
                    names.Add(Stem(lower));
                }
            }

            sentenceStart = false;
        }

        return names;
    }

    public static bool HasNegation(string text) => Words(text).Any(NegationWords.Contains);

    /// <summary>
    /// A light suffix stripper, enough to make inflections meet: vaccine/vaccines, run/runs/running,
    /// use/used/using, study/studies, box/boxes. Stems are for matching, not for reading.
    /// </summary>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        if (word.Length <= 3 || word.Any(char.IsDigit))
        {
            return word;
        }

        var stem = word;
        if (stem.EndsWith("ies", StringComparison.Ordinal) || stem.EndsWith("ied", StringComparison.Ordinal))
        {
            stem = stem[..^3] + "y";
        }
        else if (stem.EndsWith("ingly", StringComparison.Ordinal) && stem.Length >= 8)
        {
            stem = stem[..^5];
        }
        else if (stem.EndsWith("edly", StringComparison.Ordinal) && stem.Length >= 7)
        {
            stem = stem[..^4];
        }
        else if (stem.EndsWith("ing", StringComparison.Ordinal) && HasVowel(stem.AsSpan(0, stem.Length - 3)) && stem.Length >= 6)
        {
            stem = stem[..^3];
        }
        else if (stem.EndsWith("ed", StringComparison.Ordinal) && HasVowel(stem.AsSpan(0, stem.Length - 2)) && stem.Length >= 5)
        {
            stem = stem[..^2];
        }
        else if (stem.EndsWith("es", StringComparison.Ordinal) && stem.Length >= 5 && (stem[^3] is 's' or 'x' or 'z' || stem.EndsWith("ches", StringComparison.Ordinal) || stem.EndsWith("shes", StringComparison.Ordinal)))
        {
            stem = stem[..^2];
        }
        else if (stem.EndsWith('s') && !stem.EndsWith("ss", StringComparison.Ordinal) && !stem.EndsWith("us", StringComparison.Ordinal) && stem.Length >= 4)
        {
            stem = stem[..^1];
        }
        else if (stem.EndsWith("ly", StringComparison.Ordinal) && stem.Length >= 6)
        {
            stem = stem[..^2];
        }

        // "running" → "runn" → "run"
        if (stem.Length >= 4 && stem[^1] == stem[^2] && stem[^1] is not ('l' or 's' or 'z' or 'e' or 'o') && stem != word)
        {
            stem = stem[..^1];
        }

        // A final e is dropped so that "use", "used" and "using" meet.
        if (stem.Length >= 4 && stem[^1] == 'e')
        {
            stem = stem[..^1];
        }

        return stem;
    }

    /// <summary>"thing" and "bring" keep their "ing": what would remain has no vowel.</summary>
    private static bool HasVowel(ReadOnlySpan<char> stem) => stem.IndexOfAny(Vowels) >= 0;

    private static readonly System.Buffers.SearchValues<char> Vowels = System.Buffers.SearchValues.Create("aeiouy");
}
