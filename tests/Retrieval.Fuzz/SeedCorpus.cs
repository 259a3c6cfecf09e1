using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Retrieval.Fuzz;

/// <summary>
/// Small, valid inputs of each format, generated here (nothing copied from elsewhere): the fuzzer mutates these.
/// The committed corpus/ folder is this output; regenerate with <c>Retrieval.Fuzz seeds corpus</c>.
/// </summary>
internal static class SeedCorpus
{
    public static void Write(string root)
    {
        Text(root, "text", "paragraphs.txt", "First paragraph, one line.\nSecond line of it.\n\nSecond paragraph. Two sentences!\n");
        Text(root, "text", "unicode.txt", "Naïve café — straße 東京 🦭\r\n\r\ntab\tseparated\n");
        Text(root, "markdown", "doc.md",
            "---\ntitle: Seed\n---\n# Heading\n\nSome *emphasis*, `code` and a [link](http://x).\n\n" +
            "- item one\n- item two\n  1. nested\n\n> quote\n\n```cs\nvar x = 1;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        Text(root, "html", "page.html",
            "<!doctype html><html><head><title>Seed</title><style>p{}</style></head><body><h1>Heading</h1>" +
            "<p>Text with <b>bold</b> &amp; entities.<br>Line</p><ul><li>one<li>two</ul>" +
            "<table><tr><td>a<td>b</table><pre>code\n  kept</pre><script>x()</script></body></html>");
        Text(root, "json", "record.json", "{\"title\": \"Seed\", \"text\": \"Body text.\", \"meta\": {\"tags\": [\"a\", \"b\"], \"n\": 1.5, \"ok\": true, \"none\": null}}");
        Text(root, "json", "array.json", "[{\"title\": \"One\", \"content\": \"First.\"}, {\"name\": \"x\", \"nested\": [[1, 2], {\"k\": \"v\"}]}]");
        Text(root, "jsonl", "records.jsonl", "{\"title\": \"One\", \"body\": \"First.\"}\n{\"title\": \"Two\", \"text\": \"Second.\"}\n{\"k\": [1, {\"x\": \"y\"}]}\n");
        // The query target's first byte picks the decoding: even = UTF-8, odd = raw UTF-16.
        Text(root, "query", "words", "\0walrus habitat notes");
        Text(root, "query", "syntax", "\0\"NEAR(walrus shore, 2)\" AND text:value OR NOT ^start* (unbalanced");
        Text(root, "query", "unicode", "\0naïve 東京 🦭 straße");
        File.WriteAllBytes(Path.Combine(Folder(root, "query"), "utf16"), [1, .. Encoding.Unicode.GetBytes("walrus \ud800 shore")]);
        File.WriteAllBytes(Path.Combine(Folder(root, "pdf"), "report.pdf"), Pdf());
        File.WriteAllBytes(Path.Combine(Folder(root, "docx"), "report.docx"), Docx());
        using (var docx = new System.IO.Compression.ZipArchive(new MemoryStream(Docx())))
        using (var body = docx.GetEntry("word/document.xml")!.Open())
        using (var file = File.Create(Path.Combine(Folder(root, "docx-xml"), "document.xml")))
        {
            body.CopyTo(file);
        }
    }

    private static void Text(string root, string target, string name, string content) =>
        File.WriteAllText(Path.Combine(Folder(root, target), name), content, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

    private static string Folder(string root, string target)
    {
        string folder = Path.Combine(root, target);
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static byte[] Pdf()
    {
        var builder = new PdfDocumentBuilder();
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(UglyToad.PdfPig.Content.PageSize.A6);
        page.AddText("Seed Heading", 16, new UglyToad.PdfPig.Core.PdfPoint(20, 380), bold);
        page.AddText("A paragraph of body text.", 9, new UglyToad.PdfPig.Core.PdfPoint(20, 350), regular);
        page.AddText("Its second line.", 9, new UglyToad.PdfPig.Core.PdfPoint(20, 338), regular);
        builder.DocumentInformation.Title = "Seed";
        return builder.Build();
    }

    internal static byte[] Docx()
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            main.Document = new Document(new Body(
                Paragraph("Seed Heading", "Heading1"),
                Paragraph("A paragraph of body text.", null),
                Paragraph("A list item.", "ListParagraph"),
                new Table(new TableRow(new TableCell(Paragraph("cell a", null)), new TableCell(Paragraph("cell b", null))))));
            var styles = main.AddNewPart<StyleDefinitionsPart>();
            styles.Styles = new Styles(new Style(new StyleName { Val = "heading 1" }) { Type = StyleValues.Paragraph, StyleId = "Heading1" });
            document.PackageProperties.Title = "Seed";
        }

        return stream.ToArray();
    }

    private static Paragraph Paragraph(string text, string? style)
    {
        var properties = new ParagraphProperties();
        if (style is not null)
        {
            properties.Append(new ParagraphStyleId { Val = style });
        }

        return new Paragraph(properties, new Run(new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
    }
}
