using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Retrieval.Core.Ingestion.Parsing;

/// <summary>
/// The one place that turns bytes into text and text into the normalized form every parser emits:
/// strict UTF-8 (binary garbage is refused rather than indexed), NFC, '\n' line endings, no control
/// characters except newline and tab, runs of spaces collapsed.
/// </summary>
internal static class TextNormalizer
{
    // Above this share of control characters the "text" is almost certainly a binary file with a text extension.
    private const double MaxControlCharRatio = 0.05;
    private const int MinControlCharsForBinary = 4;

    /// <summary>Decodes UTF-8 (BOM stripped; UTF-16 accepted only with its BOM) or throws <see cref="DocumentParseException"/>.</summary>
    public static string DecodeText(ReadOnlySpan<byte> bytes, string format)
    {
        string text;
        if (bytes.Length >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)))
        {
            text = DecodeUtf16(bytes, format);
        }
        else
        {
            if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
            {
                bytes = bytes[3..];
            }

            if (bytes.IndexOf((byte)0) >= 0)
            {
                throw new DocumentParseException($"The {format} document contains NUL bytes: it is binary data, not valid UTF-8 text.");
            }

            text = DecodeUtf8(bytes, format);
        }

        RejectControlHeavyText(text, format);
        return text;
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> bytes, string format)
    {
        char[] buffer = ArrayPool<char>.Shared.Rent(Math.Max(bytes.Length, 1));
        try
        {
            var status = Utf8.ToUtf16(bytes, buffer, out int read, out int written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                throw new DocumentParseException(
                    $"The {format} document is not valid UTF-8 text (invalid byte sequence at byte {read.ToString(CultureInfo.InvariantCulture)}).");
            }

            return new string(buffer, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static string DecodeUtf16(ReadOnlySpan<byte> bytes, string format)
    {
        var encoding = bytes[0] == 0xFF
            ? new UnicodeEncoding(bigEndian: false, byteOrderMark: true, throwOnInvalidBytes: true)
            : new UnicodeEncoding(bigEndian: true, byteOrderMark: true, throwOnInvalidBytes: true);
        try
        {
            return encoding.GetString(bytes[2..]);
        }
        catch (DecoderFallbackException ex)
        {
            throw new DocumentParseException($"The {format} document is not valid UTF-16 text.", ex);
        }
    }

    private static void RejectControlHeavyText(string text, string format)
    {
        int controls = 0;
        foreach (char c in text)
        {
            if (c == '\0')
            {
                throw new DocumentParseException($"The {format} document contains NUL characters: it is binary data, not valid UTF-8 text.");
            }

            if (char.IsControl(c) && c is not ('\n' or '\r' or '\t' or '\f'))
            {
                controls++;
            }
        }

        // A few stray control characters (a form feed, an escape) are noise to strip, not evidence of binary data.
        if (controls >= MinControlCharsForBinary && controls > text.Length * MaxControlCharRatio)
        {
            throw new DocumentParseException($"The {format} document is mostly control characters: it is binary data, not valid UTF-8 text.");
        }
    }

    /// <summary>Normalizes one block of text. <paramref name="preserveIndentation"/> keeps leading whitespace (code).</summary>
    public static string NormalizeBlock(string text, bool preserveIndentation = false)
    {
        string clean = CleanCharacters(text);
        var sb = new StringBuilder(clean.Length);
        int pendingNewlines = 0;
        int lineStart = 0;
        while (lineStart <= clean.Length)
        {
            int newline = clean.IndexOf('\n', lineStart);
            int lineEnd = newline < 0 ? clean.Length : newline;
            var line = clean.AsSpan(lineStart, lineEnd - lineStart).TrimEnd();
            if (line.IsWhiteSpace())
            {
                pendingNewlines++;
            }
            else
            {
                if (sb.Length > 0)
                {
                    sb.Append('\n', pendingNewlines >= 1 ? 2 : 1);
                }

                AppendLine(sb, line, preserveIndentation);
                pendingNewlines = 0;
            }

            if (newline < 0)
            {
                break;
            }

            lineStart = newline + 1;
        }

        return sb.ToString();
    }

    /// <summary>Normalizes text that must stay on one line (headings, titles): all whitespace becomes one space.</summary>
    public static string NormalizeInline(string text)
    {
        string clean = CleanCharacters(text);
        var sb = new StringBuilder(clean.Length);
        bool pendingSpace = false;
        foreach (char c in clean)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    private static void AppendLine(StringBuilder sb, ReadOnlySpan<char> line, bool preserveIndentation)
    {
        int i = 0;
        if (preserveIndentation)
        {
            while (i < line.Length && line[i] is ' ' or '\t')
            {
                sb.Append(line[i]);
                i++;
            }
        }
        else
        {
            line = line.TrimStart();
        }

        // Collapse runs of horizontal whitespace: a run containing a tab stays one tab, otherwise one space.
        // Text between runs is appended a segment at a time (a 20 MB line without spaces is one Append).
        line = line[i..];
        while (line.Length > 0)
        {
            int run = line.IndexOfAny(' ', '\t');
            if (run < 0)
            {
                sb.Append(line);
                break;
            }

            sb.Append(line[..run]);
            int runEnd = run;
            bool runHasTab = false;
            while (runEnd < line.Length && line[runEnd] is ' ' or '\t')
            {
                runHasTab |= line[runEnd] == '\t';
                runEnd++;
            }

            // The line is end-trimmed, so a run is always followed by text.
            sb.Append(runHasTab ? '\t' : ' ');
            line = line[runEnd..];
        }
    }

    /// <summary>Line endings to '\n', Unicode spaces to ' ', control and invisible characters removed, lone surrogates and noncharacters replaced, NFC.</summary>
    private static string CleanCharacters(string text)
    {
        if (!text.AsSpan().ContainsAnyExceptInRange(' ', '~'))
        {
            return text; // printable ASCII with no line breaks: already clean and NFC
        }

        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '\r':
                    sb.Append('\n');
                    if (i + 1 < text.Length && text[i + 1] == '\n')
                    {
                        i++;
                    }

                    break;
                case '\n' or '\u2028' or '\u2029' or '\u0085' or '\v' or '\f':
                    sb.Append('\n');
                    break;
                case '\t':
                    sb.Append('\t');
                    break;
                case '\uFEFF' or '\u200B' or '\u00AD':
                    break;
                default:
                    if (char.IsHighSurrogate(c))
                    {
                        if (i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                        {
                            if (IsNoncharacter(char.ConvertToUtf32(c, text[i + 1])))
                            {
                                sb.Append('\uFFFD');
                            }
                            else
                            {
                                sb.Append(c).Append(text[i + 1]);
                            }

                            i++;
                        }
                        else
                        {
                            sb.Append('\uFFFD');
                        }
                    }
                    else if (char.IsLowSurrogate(c) || IsNoncharacter(c))
                    {
                        sb.Append('\uFFFD');
                    }
                    else if (char.IsControl(c))
                    {
                        // dropped
                    }
                    else if (char.IsWhiteSpace(c))
                    {
                        sb.Append(' ');
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        string clean = sb.ToString();
        return clean.IsNormalized(NormalizationForm.FormC) ? clean : clean.Normalize(NormalizationForm.FormC);
    }

    /// <summary>
    /// Unicode noncharacters (U+FDD0–U+FDEF and the last two code points of every plane): valid UTF-8/UTF-16, but
    /// string.Normalize rejects them with an ArgumentException, so they are replaced like lone surrogates (found by fuzzing).
    /// </summary>
    private static bool IsNoncharacter(int codePoint) => codePoint is >= 0xFDD0 and <= 0xFDEF || (codePoint & 0xFFFE) == 0xFFFE;
}
