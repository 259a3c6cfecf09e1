using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Parsing;
using Retrieval.Core.Options;

namespace Retrieval.Core.Tests.Ingestion;

public sealed class DocumentParsersTests
{
    private static readonly DocumentParsers Parsers = DocumentParsers.CreateDefault();

    private static ParsedDocument Parse(string content, string name, string? contentType = null, IngestionOptions? options = null) =>
        (options is null ? Parsers : DocumentParsers.CreateDefault(options)).Parse(Encoding.UTF8.GetBytes(content), name, contentType, CancellationToken.None);

    [Fact]
    public void Parse_ByExtension_PicksFormat()
    {
        Assert.Equal("Title", Parse("# Title", "notes.MD").Text);
        Assert.Equal("# Title", Parse("# Title", "notes.txt").Text);
        Assert.Equal("Hi", Parse("<p>Hi</p>", "https://example.com/page.html?x=1").Text);
    }

    [Fact]
    public void Parse_ExplicitContentTypeWithParameters_WinsOverExtension()
    {
        var document = Parse("# Title", "notes.txt", "text/markdown; charset=utf-8");

        Assert.Equal("Title", document.Text);
        Assert.Equal("Title", document.Title);
    }

    [Fact]
    public void Parse_GenericOrUnknownContentType_FallsBackToExtension()
    {
        Assert.Equal("Title", Parse("# Title", "notes.md", "application/octet-stream").Text);
        Assert.Equal("Title", Parse("# Title", "notes.md", "image/x-unknown").Text);
    }

    [Fact]
    public void Parse_UnsupportedExtension_ThrowsWithSupportedList()
    {
        var ex = Assert.Throws<DocumentParseException>(() => Parse("data", "archive.xyz"));

        Assert.Contains("Unsupported content type '.xyz' for 'archive.xyz'", ex.Message);
        Assert.Contains("application/pdf", ex.Message);
        Assert.Contains(".docx", ex.Message);
    }

    [Fact]
    public void Parse_OverMaxDocumentBytes_ThrowsPayloadTooLarge()
    {
        var ex = Assert.Throws<PayloadTooLargeException>(() => Parse(new string('a', 101), "big.txt", options: new IngestionOptions { MaxDocumentBytes = 100 }));

        Assert.Contains("MaxDocumentBytes", ex.Message);
    }

    [Fact]
    public void Parse_OverMaxDocumentChars_ThrowsPayloadTooLarge()
    {
        var ex = Assert.Throws<PayloadTooLargeException>(() => Parse("word " + new string('b', 60), "long.txt", options: new IngestionOptions { MaxDocumentChars = 50 }));

        Assert.Contains("MaxDocumentChars", ex.Message);
    }

    [Fact]
    public void Parse_ParserFailure_MessageNamesDocument()
    {
        var ex = Assert.Throws<DocumentParseException>(() => Parse("  ", "blank.txt"));

        Assert.StartsWith("'blank.txt': ", ex.Message);
        Assert.Contains("is empty", ex.Message);
        Assert.IsType<DocumentParseException>(ex.InnerException);
    }

    [Fact]
    public void Parse_CorruptPdfThroughRegistry_DocumentParseExceptionWithInner()
    {
        var ex = Assert.Throws<DocumentParseException>(() => Parsers.Parse(new byte[] { 1, 2, 3, 4, 5 }, "scan.pdf", null, CancellationToken.None));

        Assert.Contains("scan.pdf", ex.Message);
    }

    [Fact]
    public void Parse_CancelledToken_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => Parsers.Parse(Encoding.UTF8.GetBytes("text"), "a.txt", null, cts.Token));
    }

    [Theory]
    [InlineData("report.PDF", true)]
    [InlineData("/data/docs/guide.docx", true)]
    [InlineData("records.jsonl", true)]
    [InlineData("page.htm", true)]
    [InlineData("image.png", false)]
    [InlineData("Makefile", false)]
    [InlineData("old.doc", false)]
    public void IsSupported_FileName_ByExtension(string fileName, bool expected)
    {
        Assert.Equal(expected, Parsers.IsSupported(fileName));
    }

    [Fact]
    public void AddDocumentParsing_CalledTwice_RegistersEachParserAndRegistryOnceAsSingletons()
    {
        var services = new ServiceCollection().AddDocumentParsing().AddDocumentParsing();

        var parsers = services.Where(d => d.ServiceType == typeof(IDocumentParser)).ToList();
        var registry = Assert.Single(services, d => d.ServiceType == typeof(DocumentParsers));

        Assert.Equal(
            [typeof(PlainTextParser), typeof(MarkdownParser), typeof(HtmlParser), typeof(PdfParser), typeof(DocxParser), typeof(JsonParser)],
            parsers.Select(d => d.ImplementationType));
        Assert.All(parsers, d => Assert.Equal(ServiceLifetime.Singleton, d.Lifetime));
        Assert.Equal(ServiceLifetime.Singleton, registry.Lifetime);
        Assert.Contains(services, d => d.ServiceType.Name.StartsWith("IOptions", StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_LaterParserForSameType_Wins()
    {
        var custom = new FixedParser();
        var parsers = new DocumentParsers(
            [new PlainTextParser(), custom], Microsoft.Extensions.Options.Options.Create(new IngestionOptions()));

        Assert.Same(FixedParser.Result, parsers.Parse(Encoding.UTF8.GetBytes("x"), "a.txt", null, CancellationToken.None));
    }

    private sealed class FixedParser : IDocumentParser
    {
        public static readonly ParsedDocument Result = new("fixed", null, [new TextBlock(0, 5, BlockKind.Paragraph)]);

        public IReadOnlyList<string> ContentTypes { get; } = ["text/plain"];

        public IReadOnlyList<string> Extensions { get; } = [".txt"];

        public ParsedDocument Parse(ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => Result;
    }
}
