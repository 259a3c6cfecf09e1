using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Parsing;
using Retrieval.Core.Options;
using static Retrieval.Core.Tests.Ingestion.DocxFixtures;

namespace Retrieval.Core.Tests.Ingestion;

public sealed class DocxParserTests
{
    private static DocxParser Parser(int maxChars = 1_000_000) =>
        new(Microsoft.Extensions.Options.Options.Create(new IngestionOptions { MaxDocumentChars = maxChars }));

    [Fact]
    public void Parse_GeneratedDocument_HeadingsListsTablesAndTitle()
    {
        byte[] docx = Create(body =>
        {
            body.Append(Paragraph("Setup", "Heading1"));
            body.Append(Paragraph("Run   the installer."));
            body.Append(Paragraph("Download it", numbered: true));
            body.Append(Paragraph("Linux", "Heading2"));
            body.Append(Paragraph("Details", "berschrift3"));
            body.Append(Table(["Key", "Value"], ["os", "linux"]));
            body.Append(Paragraph("Appendix", "ChapterTitle"));
            body.Append(Paragraph("   "));
        }, title: "Installation Guide");

        var document = Parser().Parse(docx, CancellationToken.None);

        Assert.Equal("Installation Guide", document.Title);
        Assert.Equal(
            [
                (BlockKind.Heading, 1, "Setup"),
                (BlockKind.Paragraph, 0, "Run the installer."),
                (BlockKind.ListItem, 0, "Download it"),
                (BlockKind.Heading, 2, "Linux"),
                (BlockKind.Heading, 3, "Details"),
                (BlockKind.Table, 0, "Key"),
                (BlockKind.Table, 0, "Value"),
                (BlockKind.Table, 0, "os"),
                (BlockKind.Table, 0, "linux"),
                (BlockKind.Heading, 1, "Appendix"),
            ],
            ParsedDocumentAssert.Blocks(document));
    }

    [Fact]
    public void Parse_NoCoreTitle_TitleFromFirstHeading()
    {
        byte[] docx = Create(body =>
        {
            body.Append(Paragraph("Intro text."));
            body.Append(Paragraph("Chapter One", "Heading1"));
        }, withStyles: false);

        var document = Parser().Parse(docx, CancellationToken.None);

        Assert.Equal("Chapter One", document.Title);
    }

    [Fact]
    public void Parse_RandomBytes_ThrowsCorrupt()
    {
        byte[] content = new byte[4096];
        new Random(3).NextBytes(content);

        var ex = Assert.Throws<DocumentParseException>(() => Parser().Parse(content, CancellationToken.None));

        Assert.Contains("DOCX file is corrupt", ex.Message);
        Assert.NotNull(ex.InnerException);
    }

    [Fact]
    public void Parse_TruncatedDocx_ThrowsCorrupt()
    {
        byte[] docx = Create(body => body.Append(Paragraph("Some text.")));

        var ex = Assert.Throws<DocumentParseException>(() => Parser().Parse(docx.AsMemory(0, docx.Length / 2), CancellationToken.None));

        Assert.Contains("corrupt", ex.Message);
    }

    [Fact]
    public void Parse_EntryDeclaringHugeUncompressedSize_RefusedBeforeInflating()
    {
        byte[] docx = WithHighlyCompressibleEntry(Create(body => body.Append(Paragraph("Small."))), uncompressedBytes: 16 * 1024 * 1024);

        var ex = Assert.Throws<PayloadTooLargeException>(() => Parser(maxChars: 1_000).Parse(docx, CancellationToken.None));

        Assert.Contains("zip bomb", ex.Message);
    }

    [Fact]
    public void Parse_RepeatedTextBeyondMaxDocumentChars_StopsWithPayloadTooLarge()
    {
        string paragraph = string.Concat(Enumerable.Repeat("all work and no play ", 500));
        byte[] docx = Create(body =>
        {
            for (int i = 0; i < 100; i++)
            {
                body.Append(Paragraph(paragraph));
            }
        });
        Assert.True(docx.Length < 100_000, $"the fixture should compress well, was {docx.Length} bytes");

        Assert.Throws<PayloadTooLargeException>(() => Parser(maxChars: 20_000).Parse(docx, CancellationToken.None));
    }

    [Fact]
    public void Parse_OnlyEmptyParagraphs_ThrowsEmpty()
    {
        byte[] docx = Create(body => body.Append(Paragraph(" ")));

        var ex = Assert.Throws<DocumentParseException>(() => Parser().Parse(docx, CancellationToken.None));

        Assert.Contains("is empty", ex.Message);
    }
}
