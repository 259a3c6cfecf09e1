using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Parsing;
using Retrieval.Core.Options;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Retrieval.Core.Tests.Ingestion;

public sealed class PdfParserTests
{
    private static PdfParser Parser(int maxChars = 1_000_000) => new(Microsoft.Extensions.Options.Options.Create(new IngestionOptions { MaxDocumentChars = maxChars }));

    /// <summary>A two-page report: a large heading, a two-line paragraph with a hyphenated word, a second paragraph, page two.</summary>
    internal static byte[] SampleReport(string? infoTitle = null)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        if (infoTitle is not null)
        {
            builder.DocumentInformation.Title = infoTitle;
        }

        var first = builder.AddPage(PageSize.A4);
        first.AddText("Annual Report", 24, new PdfPoint(50, 760), font);
        first.AddText("The company grew in 2024 and revenue rose by 3.5 per-", 11, new PdfPoint(50, 700), font);
        first.AddText("cent. Costs stayed flat.", 11, new PdfPoint(50, 686), font);
        first.AddText("Outlook for next year is stable.", 11, new PdfPoint(50, 600), font);

        var second = builder.AddPage(PageSize.A4);
        second.AddText("Page two closes the report.", 11, new PdfPoint(50, 760), font);
        return builder.Build();
    }

    [Fact]
    public void Parse_GeneratedReport_TextInReadingOrderWithHeading()
    {
        var document = Parser().Parse(SampleReport(), CancellationToken.None);

        Assert.Equal("Annual Report", document.Title);
        Assert.Equal(
            [
                (BlockKind.Heading, 1, "Annual Report"),
                (BlockKind.Paragraph, 0, "The company grew in 2024 and revenue rose by 3.5 percent. Costs stayed flat."),
                (BlockKind.Paragraph, 0, "Outlook for next year is stable."),
                (BlockKind.Paragraph, 0, "Page two closes the report."),
            ],
            ParsedDocumentAssert.Blocks(document));
    }

    [Fact]
    public void Parse_DocumentInformationTitle_UsedAsTitle()
    {
        var document = Parser().Parse(SampleReport("Report 2024"), CancellationToken.None);

        Assert.Equal("Report 2024", document.Title);
    }

    [Fact]
    public void Parse_RandomBytes_ThrowsCorrupt()
    {
        byte[] content = new byte[2048];
        new Random(7).NextBytes(content);

        var ex = Assert.Throws<DocumentParseException>(() => Parser().Parse(content, CancellationToken.None));

        Assert.Contains("PDF is corrupt", ex.Message);
        Assert.NotNull(ex.InnerException);
    }

    [Fact]
    public void Parse_TruncatedPdf_ThrowsDocumentParseException()
    {
        byte[] full = SampleReport();

        var ex = Assert.Throws<DocumentParseException>(() => Parser().Parse(full.AsMemory(0, full.Length / 3), CancellationToken.None));

        Assert.Contains("PDF", ex.Message);
    }

    [Fact]
    public void Parse_PdfWithoutText_ThrowsEmpty()
    {
        var builder = new PdfDocumentBuilder();
        builder.AddPage(PageSize.A4);

        var ex = Assert.Throws<DocumentParseException>(() => Parser().Parse(builder.Build(), CancellationToken.None));

        Assert.Contains("is empty", ex.Message);
    }

    [Fact]
    public void Parse_TextBeyondMaxDocumentChars_ThrowsPayloadTooLarge()
    {
        Assert.Throws<PayloadTooLargeException>(() => Parser(maxChars: 40).Parse(SampleReport(), CancellationToken.None));
    }
}
