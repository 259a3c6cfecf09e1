using System.IO.Compression;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Retrieval.Core.Tests.Ingestion;

/// <summary>Word documents generated in code (no binary fixtures in the repository).</summary>
internal static class DocxFixtures
{
    public static byte[] Create(Action<Body> fill, string? title = null, bool withStyles = true)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            var body = new Body();
            fill(body);
            main.Document = new Document(body);
            if (withStyles)
            {
                var styles = main.AddNewPart<StyleDefinitionsPart>();
                styles.Styles = new Styles(
                    ParagraphStyle("Heading1", "heading 1"),
                    ParagraphStyle("Heading2", "heading 2"),
                    // A localized heading style: recognised through its name, not its id.
                    ParagraphStyle("berschrift3", "heading 3"),
                    // A custom style based on a heading: inherits the level.
                    ParagraphStyle("ChapterTitle", "Chapter Title", basedOn: "Heading1"));
            }

            if (title is not null)
            {
                document.PackageProperties.Title = title;
            }
        }

        return stream.ToArray();
    }

    public static Paragraph Paragraph(string text, string? style = null, bool numbered = false)
    {
        var properties = new ParagraphProperties();
        if (style is not null)
        {
            properties.Append(new ParagraphStyleId { Val = style });
        }

        if (numbered)
        {
            properties.Append(new NumberingProperties(new NumberingLevelReference { Val = 0 }, new NumberingId { Val = 1 }));
        }

        return new Paragraph(properties, new Run(new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
    }

    public static Table Table(params string[][] rows) =>
        new(rows.Select(cells => new TableRow(cells.Select(cell => new TableCell(Paragraph(cell))))));

    /// <summary>A valid document plus an extra entry whose declared uncompressed size is huge but which compresses to almost nothing.</summary>
    public static byte[] WithHighlyCompressibleEntry(byte[] docx, int uncompressedBytes)
    {
        using var stream = new MemoryStream();
        stream.Write(docx);
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            var entry = zip.CreateEntry("word/media/bomb.xml", CompressionLevel.SmallestSize);
            using var entryStream = entry.Open();
            byte[] zeros = new byte[1024 * 1024];
            for (int written = 0; written < uncompressedBytes; written += zeros.Length)
            {
                entryStream.Write(zeros, 0, Math.Min(zeros.Length, uncompressedBytes - written));
            }
        }

        return stream.ToArray();
    }

    private static Style ParagraphStyle(string id, string name, string? basedOn = null)
    {
        var style = new Style(new StyleName { Val = name }) { Type = StyleValues.Paragraph, StyleId = id };
        if (basedOn is not null)
        {
            style.Append(new BasedOn { Val = basedOn });
        }

        return style;
    }
}
