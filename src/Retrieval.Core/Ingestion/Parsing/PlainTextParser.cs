using System.Text;

namespace Retrieval.Core.Ingestion.Parsing;

/// <summary>Plain UTF-8 text: paragraphs are separated by blank lines; single line breaks are kept.</summary>
public sealed class PlainTextParser : IDocumentParser
{
    public IReadOnlyList<string> ContentTypes { get; } = ["text/plain"];

    public IReadOnlyList<string> Extensions { get; } = [".txt", ".text"];

    public ParsedDocument Parse(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        string text = TextNormalizer.DecodeText(content.Span, "text");
        var builder = new DocumentTextBuilder("text");
        var paragraph = new StringBuilder();
        int lineStart = 0;
        int lines = 0;
        while (lineStart <= text.Length)
        {
            int end = text.AsSpan(lineStart).IndexOfAny('\n', '\r');
            int lineEnd = end < 0 ? text.Length : lineStart + end;
            var line = text.AsSpan(lineStart, lineEnd - lineStart);
            if (line.IsWhiteSpace())
            {
                Flush(builder, paragraph);
            }
            else
            {
                paragraph.Append(line).Append('\n');
            }

            if (++lines % 4096 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (end < 0)
            {
                break;
            }

            lineStart = lineEnd + (text[lineEnd] == '\r' && lineEnd + 1 < text.Length && text[lineEnd + 1] == '\n' ? 2 : 1);
        }

        Flush(builder, paragraph);
        return builder.Build(title: null);
    }

    private static void Flush(DocumentTextBuilder builder, StringBuilder paragraph)
    {
        if (paragraph.Length > 0)
        {
            builder.Add(paragraph.ToString(), BlockKind.Paragraph);
            paragraph.Clear();
        }
    }
}
