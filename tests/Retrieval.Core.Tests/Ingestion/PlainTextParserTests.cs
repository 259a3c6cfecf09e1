using System.Text;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Parsing;

namespace Retrieval.Core.Tests.Ingestion;

public sealed class PlainTextParserTests
{
    private static ParsedDocument Parse(string text) => new PlainTextParser().Parse(Encoding.UTF8.GetBytes(text), CancellationToken.None);

    [Fact]
    public void Parse_ParagraphsSeparatedByBlankLines_OneBlockEach()
    {
        var document = Parse("First   paragraph\r\nstill first.\r\n\r\n\r\n  Second\tparagraph.  \n");

        Assert.Equal("First paragraph\nstill first.\n\nSecond\tparagraph.", document.Text);
        Assert.Null(document.Title);
        Assert.Equal(
            [(BlockKind.Paragraph, 0, "First paragraph\nstill first."), (BlockKind.Paragraph, 0, "Second\tparagraph.")],
            ParsedDocumentAssert.Blocks(document));
    }

    [Fact]
    public void Parse_BomControlCharsAndDecomposedAccents_Normalized()
    {
        byte[] bom = [0xEF, 0xBB, 0xBF];
        // "e" + combining acute (NFD) must become "é" (NFC); the BEL control character disappears.
        byte[] content = [.. bom, .. Encoding.UTF8.GetBytes("Cafe\u0301 \u0007open\u00A0\u00A0now")];

        var document = new PlainTextParser().Parse(content, CancellationToken.None);

        Assert.Equal("Caf\u00E9 open now", document.Text);
    }

    [Fact]
    public void Parse_Utf16WithBom_Decoded()
    {
        var document = new PlainTextParser().Parse(Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("Hello there")).ToArray(), CancellationToken.None);

        Assert.Equal("Hello there", document.Text);
    }

    [Fact]
    public void Parse_InvalidUtf8_ThrowsNotValidUtf8()
    {
        byte[] content = [.. Encoding.UTF8.GetBytes("valid start "), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(" rest")];

        var ex = Assert.Throws<DocumentParseException>(() => new PlainTextParser().Parse(content, CancellationToken.None));

        Assert.Contains("not valid UTF-8", ex.Message);
        Assert.Contains("byte 12", ex.Message);
    }

    [Fact]
    public void Parse_BinaryGarbage_ThrowsNotValidUtf8()
    {
        var random = new Random(42);
        byte[] content = new byte[4096];
        random.NextBytes(content);

        var ex = Assert.Throws<DocumentParseException>(() => new PlainTextParser().Parse(content, CancellationToken.None));

        Assert.Contains("not valid UTF-8", ex.Message);
    }

    [Fact]
    public void Parse_ValidUtf8MostlyControlCharacters_ThrowsBinary()
    {
        byte[] content = Enumerable.Range(0, 1000).Select(i => (byte)(i % 2 == 0 ? 0x01 : 'a')).ToArray();

        var ex = Assert.Throws<DocumentParseException>(() => new PlainTextParser().Parse(content, CancellationToken.None));

        Assert.Contains("binary", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \r\n\t \n\u00A0 ")]
    public void Parse_EmptyOrWhitespaceOnly_ThrowsEmpty(string text)
    {
        var ex = Assert.Throws<DocumentParseException>(() => Parse(text));

        Assert.Contains("is empty", ex.Message);
    }
}
