namespace Retrieval.Core.Ingestion.Chunking;

/// <summary>
/// Rule-based sentence boundaries: '.', '!', '?', '…' (and CJK full stops) followed by whitespace and a capital, digit
/// or opening quote; a blank line always ends a sentence. Known abbreviations ("Dr.", "e.g.", "Fig."), initials
/// ("J. Smith"), dotted acronyms ("U.S.") and decimals ("3.5") do not end a sentence. The returned ranges are trimmed
/// of surrounding whitespace and together cover every non-whitespace character of the input, in order.
/// </summary>
public static class SentenceSplitter
{
    // Abbreviations that are (almost) never the end of a sentence even before a capital: titles, Latin, references, months.
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "rev", "gen", "col", "capt", "lt", "sgt", "hon", "messrs", "mt",
        "vs", "e.g", "i.e", "cf", "viz", "al", "ca", "approx", "dept", "est", "fig", "figs", "eq", "eqs", "no", "nos",
        "vol", "vols", "pp", "p", "ch", "sec", "art", "ed", "eds", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
        "sep", "sept", "oct", "nov", "dec",
    };

    /// <summary>Sentence ranges of <paramref name="text"/>.</summary>
    public static IReadOnlyList<Range> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var spans = new List<(int Start, int End)>();
        Split(text, 0, text.Length, spans);
        var ranges = new Range[spans.Count];
        for (int i = 0; i < spans.Count; i++)
        {
            ranges[i] = spans[i].Start..spans[i].End;
        }

        return ranges;
    }

    /// <summary>Appends the sentences of <c>text[start..end)</c> to <paramref name="output"/> as absolute offsets.</summary>
    internal static void Split(string text, int start, int end, List<(int Start, int End)> output)
    {
        int sentenceStart = -1;
        int i = start;
        while (i < end)
        {
            char c = text[i];
            if (sentenceStart < 0)
            {
                if (!char.IsWhiteSpace(c))
                {
                    sentenceStart = i;
                }

                i++;
                continue;
            }

            if (c == '\n' && IsBlankLineAhead(text, i + 1, end))
            {
                Emit(text, sentenceStart, i, output);
                sentenceStart = -1;
                i++;
                continue;
            }

            if (!IsTerminal(c))
            {
                i++;
                continue;
            }

            int runEnd = i;
            while (runEnd < end && IsTerminal(text[runEnd]))
            {
                runEnd++;
            }

            int after = runEnd;
            while (after < end && IsCloser(text[after]))
            {
                after++;
            }

            if (IsBoundary(text, sentenceStart, i, runEnd, after, end))
            {
                Emit(text, sentenceStart, after, output);
                sentenceStart = -1;
            }

            i = after;
        }

        if (sentenceStart >= 0)
        {
            Emit(text, sentenceStart, end, output);
        }
    }

    private static bool IsBoundary(string text, int sentenceStart, int runStart, int runEnd, int after, int end)
    {
        if (text[runStart] is '。' or '！' or '？')
        {
            return true;
        }

        if (after >= end)
        {
            return true;
        }

        if (!char.IsWhiteSpace(text[after]))
        {
            return false; // "3.5", "example.com", "a.b"
        }

        int next = after;
        while (next < end && char.IsWhiteSpace(text[next]))
        {
            next++;
        }

        if (next >= end)
        {
            return true;
        }

        if (!StartsSentence(text[next]))
        {
            return false; // "e.g. the", "... and then"
        }

        return !(runEnd - runStart == 1 && text[runStart] == '.' && IsAbbreviation(text, sentenceStart, runStart));
    }

    /// <summary>The word before a single '.' at <paramref name="dot"/> is a known abbreviation, an initial or a dotted acronym.</summary>
    private static bool IsAbbreviation(string text, int sentenceStart, int dot)
    {
        int wordStart = dot;
        while (wordStart > sentenceStart && (char.IsLetter(text[wordStart - 1]) || text[wordStart - 1] == '.'))
        {
            wordStart--;
        }

        var word = text.AsSpan(wordStart, dot - wordStart);
        if (word.IsEmpty)
        {
            return false;
        }

        if (word.Length == 1 && char.IsUpper(word[0]))
        {
            return true; // an initial: "J. Smith"
        }

        if (word.Contains('.') && word.Length <= 8)
        {
            return true; // "U.S", "e.g", "Ph.D"
        }

        return Abbreviations.GetAlternateLookup<ReadOnlySpan<char>>().Contains(word);
    }

    private static bool StartsSentence(char c) =>
        char.IsUpper(c) || char.IsDigit(c) || (char.IsLetter(c) && !char.IsLower(c)) ||
        c is '"' or '\'' or '“' or '‘' or '(' or '[' or '«' or '¿' or '¡' or '*' or '-' or '•' or '–' or '—';

    private static bool IsTerminal(char c) => c is '.' or '!' or '?' or '…' or '‼' or '。' or '！' or '？';

    private static bool IsCloser(char c) => c is '"' or '\'' or '”' or '’' or ')' or ']' or '»' or '」' or '』';

    private static bool IsBlankLineAhead(string text, int from, int end)
    {
        for (int i = from; i < end; i++)
        {
            char c = text[i];
            if (c == '\n')
            {
                return true;
            }

            if (c is not (' ' or '\t' or '\r'))
            {
                return false;
            }
        }

        return false;
    }

    private static void Emit(string text, int start, int end, List<(int Start, int End)> output)
    {
        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        if (end > start)
        {
            output.Add((start, end));
        }
    }
}
