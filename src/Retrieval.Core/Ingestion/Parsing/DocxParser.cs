using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Xml;
using DocumentFormat.OpenXml.Packaging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Options;

namespace Retrieval.Core.Ingestion.Parsing;

/// <summary>
/// Word documents (.docx). OpenXml opens the package and finds the parts; the body is then streamed with an
/// <see cref="XmlReader"/> so that memory and time stay proportional to the text actually kept. Heading styles
/// (Heading1…9, Title, outline levels, styles based on them) become headings, numbered/bulleted paragraphs list items,
/// and each table cell a block.
/// Zip bombs are refused twice: by the uncompressed sizes the archive declares, before anything is inflated, and by
/// counting the bytes actually inflated and the characters of text kept (MaxDocumentChars) while reading.
/// </summary>
public sealed class DocxParser : IDocumentParser
{
    private const string W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
    private const string MarkupCompatibility = "http://schemas.openxmlformats.org/markup-compatibility/2006";

    /// <summary>WordprocessingML markup per character of text that is still plausible.</summary>
    private const long XmlBytesPerChar = 64;
    private const long MinXmlBytes = 4L * 1024 * 1024;

    private readonly IOptions<IngestionOptions> _options;

    public DocxParser(IOptions<IngestionOptions> options)
    {
        _options = options;
    }

    public IReadOnlyList<string> ContentTypes { get; } = ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"];

    public IReadOnlyList<string> Extensions { get; } = [".docx"];

    public ParsedDocument Parse(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        int maxChars = _options.Value.MaxDocumentChars;
        long maxXmlBytes = Math.Max(MinXmlBytes, maxChars * XmlBytesPerChar);
        try
        {
            CheckDeclaredSizes(content, maxXmlBytes, _options.Value.MaxArchiveEntries);
            using var stream = AsStream(content);
            using var document = WordprocessingDocument.Open(stream, isEditable: false, new OpenSettings { MaxCharactersInPart = maxXmlBytes });
            var main = document.MainDocumentPart ?? throw new DocumentParseException("The DOCX file has no main document part: it is not a Word document.");
            var styles = main.StyleDefinitionsPart is { } stylesPart ? ReadStyles(stylesPart, maxXmlBytes) : new Dictionary<string, StyleInfo>();

            var builder = new DocumentTextBuilder("DOCX", maxChars);
            using var body = new LimitedReadStream(main.GetStream(FileMode.Open, FileAccess.Read), maxXmlBytes);
            string? firstHeading = ReadBody(body, styles, builder, cancellationToken);
            return builder.Build(DocumentTextBuilder.CleanTitle(document.PackageProperties.Title) ?? firstHeading);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or ValidationException))
        {
            throw new DocumentParseException("The DOCX file is corrupt or truncated, or not a Word document.", ex);
        }
    }

    private static void CheckDeclaredSizes(ReadOnlyMemory<byte> content, long maxXmlBytes, int maxEntries)
    {
        using var stream = AsStream(content);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
        if (zip.Entries.Count > maxEntries)
        {
            throw new PayloadTooLargeException($"The DOCX file has more than {maxEntries} parts (Retrieval:Ingestion:MaxArchiveEntries).");
        }

        // Media are stored nearly uncompressed, so they are bounded by the file size itself.
        long budget = maxXmlBytes + content.Length;
        long total = 0;
        foreach (var entry in zip.Entries)
        {
            total += entry.Length;
            if (entry.Length > maxXmlBytes || total > budget)
            {
                throw new PayloadTooLargeException(
                    "The DOCX file declares more uncompressed data than Retrieval:Ingestion:MaxDocumentChars allows (zip bomb?).");
            }
        }
    }

    private static string? ReadBody(Stream body, Dictionary<string, StyleInfo> styles, DocumentTextBuilder builder, CancellationToken cancellationToken)
    {
        string? firstHeading = null;
        var paragraphs = new Stack<ParagraphState>();
        var cells = new Stack<StringBuilder>();
        using var reader = XmlReader.Create(body, SafeXmlSettings());
        int elements = 0;
        bool positioned = false; // Skip/ReadElementContent already moved to the next node
        while (positioned || reader.Read())
        {
            positioned = false;
            if (reader.NodeType == XmlNodeType.Element)
            {
                if (++elements % 4096 == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (reader.LocalName == "Fallback" && reader.NamespaceURI == MarkupCompatibility)
                {
                    reader.Skip(); // the same content again, for older readers
                    positioned = true;
                    continue;
                }

                if (reader.NamespaceURI != W)
                {
                    continue;
                }

                bool empty = reader.IsEmptyElement;
                switch (reader.LocalName)
                {
                    case "p" when !empty:
                        paragraphs.Push(new ParagraphState());
                        break;
                    case "pStyle" when paragraphs.Count > 0:
                        paragraphs.Peek().StyleId = reader.GetAttribute("val", W);
                        break;
                    case "numPr" when paragraphs.Count > 0:
                        paragraphs.Peek().Numbered = true;
                        break;
                    case "outlineLvl" when paragraphs.Count > 0:
                        paragraphs.Peek().OutlineLevel = ParseLevel(reader.GetAttribute("val", W));
                        break;
                    case "t" when paragraphs.Count > 0 && !empty:
                        paragraphs.Peek().Text.Append(reader.ReadElementContentAsString());
                        positioned = true;
                        continue;
                    case "tab" when paragraphs.Count > 0:
                        paragraphs.Peek().Text.Append('\t');
                        break;
                    case "br" or "cr" when paragraphs.Count > 0:
                        paragraphs.Peek().Text.Append('\n');
                        break;
                    case "noBreakHyphen" when paragraphs.Count > 0:
                        paragraphs.Peek().Text.Append('-');
                        break;
                    case "tc" when !empty:
                        cells.Push(new StringBuilder());
                        break;
                    case "delText" or "instrText":
                        reader.Skip(); // deleted revisions and field codes are not document text
                        positioned = true;
                        continue;
                    default:
                        break;
                }
            }
            else if (reader.NodeType == XmlNodeType.EndElement && reader.NamespaceURI == W)
            {
                if (reader.LocalName == "p" && paragraphs.Count > 0)
                {
                    var paragraph = paragraphs.Pop();
                    if (cells.Count > 0 && paragraphs.Count == 0)
                    {
                        var cell = cells.Peek();
                        if (cell.Length > 0)
                        {
                            cell.Append('\n');
                        }

                        cell.Append(paragraph.Text);
                        continue;
                    }

                    var (kind, level) = paragraph.Classify(styles);
                    string added = builder.Add(paragraph.Text.ToString(), kind, level);
                    if (kind == BlockKind.Heading && added.Length > 0)
                    {
                        firstHeading ??= added;
                    }
                }
                else if (reader.LocalName == "tc" && cells.Count > 0)
                {
                    builder.Add(cells.Pop().ToString(), BlockKind.Table);
                }
            }
        }

        return firstHeading;
    }

    private static Dictionary<string, StyleInfo> ReadStyles(StyleDefinitionsPart part, long maxXmlBytes)
    {
        var raw = new Dictionary<string, (string? Name, string? BasedOn, int OutlineLevel)>(StringComparer.Ordinal);
        using (var stream = new LimitedReadStream(part.GetStream(FileMode.Open, FileAccess.Read), maxXmlBytes))
        using (var reader = XmlReader.Create(stream, SafeXmlSettings()))
        {
            string? id = null;
            string? name = null;
            string? basedOn = null;
            int outline = 0;
            while (reader.Read())
            {
                if (reader.NamespaceURI != W)
                {
                    continue;
                }

                if (reader.NodeType == XmlNodeType.Element)
                {
                    switch (reader.LocalName)
                    {
                        case "style":
                            id = reader.GetAttribute("styleId", W);
                            (name, basedOn, outline) = (null, null, 0);
                            if (reader.IsEmptyElement && id is not null)
                            {
                                raw[id] = (null, null, 0);
                            }

                            break;
                        case "name":
                            name = reader.GetAttribute("val", W);
                            break;
                        case "basedOn":
                            basedOn = reader.GetAttribute("val", W);
                            break;
                        case "outlineLvl":
                            outline = ParseLevel(reader.GetAttribute("val", W));
                            break;
                        default:
                            break;
                    }
                }
                else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "style" && id is not null)
                {
                    raw[id] = (name, basedOn, outline);
                    id = null;
                }
            }
        }

        var styles = new Dictionary<string, StyleInfo>(StringComparer.Ordinal);
        foreach (var id in raw.Keys)
        {
            // Follow basedOn a bounded number of steps: cycles in a hostile file must not hang us.
            string? current = id;
            for (int step = 0; step < 10 && current is not null && raw.TryGetValue(current, out var style); step++)
            {
                var info = StyleInfo.FromName(current, style.Name, style.OutlineLevel);
                if (info.Kind != BlockKind.Paragraph)
                {
                    styles[id] = info;
                    break;
                }

                current = style.BasedOn;
            }
        }

        return styles;
    }

    private static int ParseLevel(string? value) =>
        int.TryParse(value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int level)
            && level is >= 0 and < 9 ? level + 1 : 0;

    private static XmlReaderSettings SafeXmlSettings() => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    private sealed class ParagraphState
    {
        public StringBuilder Text { get; } = new();

        public string? StyleId { get; set; }

        public bool Numbered { get; set; }

        /// <summary>1-based outline level from the paragraph's own properties; 0 when none.</summary>
        public int OutlineLevel { get; set; }

        public (BlockKind Kind, int Level) Classify(Dictionary<string, StyleInfo> styles)
        {
            if (OutlineLevel > 0)
            {
                return (BlockKind.Heading, OutlineLevel);
            }

            var style = StyleId is null ? new StyleInfo(BlockKind.Paragraph, 0)
                : styles.TryGetValue(StyleId, out var known) ? known
                : StyleInfo.FromName(StyleId, null, 0);
            if (style.Kind == BlockKind.Heading)
            {
                return (BlockKind.Heading, style.Level);
            }

            return Numbered || style.Kind == BlockKind.ListItem ? (BlockKind.ListItem, 0) : (BlockKind.Paragraph, 0);
        }
    }

    private readonly record struct StyleInfo(BlockKind Kind, int Level)
    {
        public static StyleInfo FromName(string id, string? name, int outlineLevel)
        {
            if (HeadingNumber(id) is { } fromId)
            {
                return new StyleInfo(BlockKind.Heading, fromId);
            }

            if (name is not null && HeadingNumber(name.Replace(" ", string.Empty, StringComparison.Ordinal)) is { } fromName)
            {
                return new StyleInfo(BlockKind.Heading, fromName);
            }

            if (id.Equals("Title", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "Title", StringComparison.OrdinalIgnoreCase))
            {
                return new StyleInfo(BlockKind.Heading, 1);
            }

            if (outlineLevel > 0)
            {
                return new StyleInfo(BlockKind.Heading, outlineLevel);
            }

            if (id.StartsWith("List", StringComparison.OrdinalIgnoreCase) || (name?.StartsWith("List", StringComparison.OrdinalIgnoreCase) ?? false))
            {
                return new StyleInfo(BlockKind.ListItem, 0);
            }

            return new StyleInfo(BlockKind.Paragraph, 0);
        }

        private static int? HeadingNumber(string value) =>
            value.Length == 8 && value.StartsWith("Heading", StringComparison.OrdinalIgnoreCase) && value[7] is >= '1' and <= '9'
                ? value[7] - '0'
                : null;
    }
}
