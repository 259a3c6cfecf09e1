using System.Globalization;
using System.Text;

namespace Retrieval.Core.Ingestion.Parsing;

/// <summary>
/// Accumulates normalized blocks into the final document text. Every block is normalized before it is appended,
/// so a block's Start/Length index <see cref="ParsedDocument.Text"/> exactly; blocks are separated by a blank line.
/// </summary>
internal sealed class DocumentTextBuilder
{
    private const string BlockSeparator = "\n\n";
    private const int MaxTitleChars = 300;

    private readonly StringBuilder _text = new();
    private readonly List<TextBlock> _blocks = [];
    private readonly string _format;
    private readonly int _maxChars;

    public DocumentTextBuilder(string format, int maxChars = int.MaxValue)
    {
        _format = format;
        _maxChars = maxChars;
    }

    public int Length => _text.Length;

    public int BlockCount => _blocks.Count;

    /// <summary>Normalizes and appends one block; empty blocks are skipped. Returns the normalized text ("" when skipped).</summary>
    public string Add(string rawText, BlockKind kind, int headingLevel = 0)
    {
        string text = kind switch
        {
            BlockKind.Heading => TextNormalizer.NormalizeInline(rawText),
            BlockKind.Code => TextNormalizer.NormalizeBlock(rawText, preserveIndentation: true),
            _ => TextNormalizer.NormalizeBlock(rawText),
        };
        if (text.Length == 0)
        {
            return text;
        }

        int separator = _text.Length > 0 ? BlockSeparator.Length : 0;
        if ((long)_text.Length + separator + text.Length > _maxChars)
        {
            throw new PayloadTooLargeException(
                $"The {_format} document has more than {_maxChars.ToString("N0", CultureInfo.InvariantCulture)} characters of text " +
                "(limit Retrieval:Ingestion:MaxDocumentChars).");
        }

        if (separator > 0)
        {
            _text.Append(BlockSeparator);
        }

        int level = kind == BlockKind.Heading ? Math.Clamp(headingLevel, 1, 9) : 0;
        _blocks.Add(new TextBlock(_text.Length, text.Length, kind, level));
        _text.Append(text);
        return text;
    }

    /// <summary>The finished document; throws <see cref="DocumentParseException"/> when no text was found.</summary>
    public ParsedDocument Build(string? title)
    {
        if (_text.Length == 0)
        {
            throw new DocumentParseException($"The {_format} document is empty (no text found).");
        }

        return new ParsedDocument(_text.ToString(), CleanTitle(title), _blocks.ToArray());
    }

    public static string? CleanTitle(string? title)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            return null;
        }

        string clean = TextNormalizer.NormalizeInline(title);
        if (clean.Length > MaxTitleChars)
        {
            clean = clean[..MaxTitleChars].TrimEnd();
        }

        return clean.Length == 0 ? null : clean;
    }
}
