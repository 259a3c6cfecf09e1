using System.Text;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Parsing;

namespace Retrieval.Core.Tests.Ingestion;

public sealed class JsonParserTests
{
    private static ParsedDocument Parse(string json) => new JsonParser().Parse(Encoding.UTF8.GetBytes(json), CancellationToken.None);

    [Fact]
    public void Parse_ArrayOfRecords_HeadingAndParagraphsPerRecord()
    {
        var document = Parse("""
            [
              {"id": 1, "title": "First", "text": "Alpha one.\n\nAlpha two."},
              {"id": 2, "Title": "Second", "body": "Beta."},
              {"content": "No title here."}
            ]
            """);

        Assert.Null(document.Title);
        Assert.Equal(
            [
                (BlockKind.Heading, 1, "First"),
                (BlockKind.Paragraph, 0, "Alpha one."),
                (BlockKind.Paragraph, 0, "Alpha two."),
                (BlockKind.Heading, 1, "Second"),
                (BlockKind.Paragraph, 0, "Beta."),
                (BlockKind.Paragraph, 0, "No title here."),
            ],
            ParsedDocumentAssert.Blocks(document));
    }

    [Fact]
    public void Parse_SingleRecord_TitleFromRecord()
    {
        var document = Parse("""{"title": "Only", "content": "Body text."}""");

        Assert.Equal("Only", document.Title);
    }

    [Fact]
    public void Parse_OtherObject_FlattenedToKeyValueLines()
    {
        var document = Parse("""{"name": "Widget", "price": 3.5, "tags": ["a", "b"], "dims": {"w": 2, "h": null}, "parts": [{"id": "x"}]}""");

        Assert.Equal("name: Widget\nprice: 3.5\ntags: a, b\ndims.w: 2\nparts[0].id: x", document.Text);
        Assert.Equal([(BlockKind.Paragraph, 0, document.Text)], ParsedDocumentAssert.Blocks(document));
    }

    [Fact]
    public void Parse_JsonLines_OneRecordPerLine()
    {
        var document = Parse("{\"title\": \"A\", \"text\": \"First.\"}\n\n{\"title\": \"B\", \"text\": \"Second.\"}\n");

        Assert.Equal("A\n\nFirst.\n\nB\n\nSecond.", document.Text);
    }

    [Fact]
    public void Parse_JsonLinesWithBadLine_NamesTheLine()
    {
        var ex = Assert.Throws<DocumentParseException>(() => Parse("{\"text\": \"ok\"}\n{\"text\": \"ok\"}\n{\"text\": oops}\n{\"text\": \"ok\"}"));

        Assert.Contains("Line 3", ex.Message);
    }

    [Fact]
    public void Parse_InvalidPrettyPrintedJson_ReportsPositionNotJsonLines()
    {
        var ex = Assert.Throws<DocumentParseException>(() => Parse("{\n  \"text\": \"a\",\n  \"body\": \n}"));

        Assert.Contains("not valid JSON (line 4", ex.Message);
        Assert.IsType<System.Text.Json.JsonException>(ex.InnerException, exactMatch: false);
    }

    [Fact]
    public void Parse_DeeplyNested_RefusedWithoutStackOverflow()
    {
        string json = new string('[', 100_000) + new string(']', 100_000);

        var ex = Assert.Throws<DocumentParseException>(() => Parse(json));

        Assert.Contains("deeper than 64", ex.Message);
    }

    [Fact]
    public void Parse_NestingWithinLimit_Flattened()
    {
        string json = string.Concat(Enumerable.Repeat("{\"a\":", 50)) + "\"leaf\"" + new string('}', 50);

        var document = Parse(json);

        Assert.EndsWith(": leaf", document.Text);
        Assert.StartsWith("a.a.a", document.Text);
    }

    [Fact]
    public void Parse_LoneSurrogateEscape_DocumentParseException()
    {
        Assert.Throws<DocumentParseException>(() => Parse("{\"text\": \"a\\ud800b\"}"));
    }

    [Fact]
    public void Parse_ControlCharacterEscapes_Removed()
    {
        var document = Parse("{\"text\": \"bell\\u0007 and\\u0000 nul\"}");

        Assert.Equal("bell and nul", document.Text);
    }

    [Fact]
    public void Parse_EmptyArray_ThrowsEmpty()
    {
        var ex = Assert.Throws<DocumentParseException>(() => Parse("[]"));

        Assert.Contains("is empty", ex.Message);
    }
}
