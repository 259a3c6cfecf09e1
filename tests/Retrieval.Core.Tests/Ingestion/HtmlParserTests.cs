using System.Text;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Parsing;

namespace Retrieval.Core.Tests.Ingestion;

public sealed class HtmlParserTests
{
    private static ParsedDocument Parse(string html) => new HtmlParser().Parse(Encoding.UTF8.GetBytes(html), CancellationToken.None);

    [Fact]
    public void Parse_Sample_BlocksWithoutBoilerplate()
    {
        const string Html = """
            <!DOCTYPE html>
            <html><head><title>  The   Handbook </title><style>body { color: red }</style></head>
            <body>
              <nav><a href="/">Home</a> | <a href="/about">About</a></nav>
              <script>var secret = "do not index";</script>
              <noscript>Enable JavaScript</noscript>
              <template><p>template text</p></template>
              <h1>Handbook</h1>
              <p>Welcome to the <b>handbook</b>.
                 It has   two lines.<br>And a break.</p>
              <h2>Rules</h2>
              <ul><li>Be kind</li><li>Be <em>on time</em><ul><li>Nested rule</li></ul></li></ul>
              <pre>line 1
              indented</pre>
              <table><tr><th>Key</th><td>Value</td></tr></table>
              <div>Loose text in a div</div>
            </body></html>
            """;

        var document = Parse(Html);

        Assert.Equal("The Handbook", document.Title);
        Assert.Equal(
            [
                (BlockKind.Heading, 1, "Handbook"),
                (BlockKind.Paragraph, 0, "Welcome to the handbook. It has two lines.\nAnd a break."),
                (BlockKind.Heading, 2, "Rules"),
                (BlockKind.ListItem, 0, "Be kind"),
                (BlockKind.ListItem, 0, "Be on time"),
                (BlockKind.ListItem, 0, "Nested rule"),
                (BlockKind.Code, 0, "line 1\n  indented"),
                (BlockKind.Table, 0, "Key"),
                (BlockKind.Table, 0, "Value"),
                (BlockKind.Paragraph, 0, "Loose text in a div"),
            ],
            ParsedDocumentAssert.Blocks(document));
        Assert.DoesNotContain("secret", document.Text);
        Assert.DoesNotContain("Home", document.Text);
        Assert.DoesNotContain("JavaScript", document.Text);
        Assert.DoesNotContain("template", document.Text);
    }

    [Fact]
    public void Parse_NoTitleElement_TitleFromFirstH1()
    {
        var document = Parse("<body><p>Intro</p><h1>Main <i>Title</i></h1><h1>Other</h1></body>");

        Assert.Equal("Main Title", document.Title);
    }

    private static string Nested(int depth) =>
        "<body>" + string.Concat(Enumerable.Repeat("<div><p>", depth)) + "bottom" + string.Concat(Enumerable.Repeat("</p></div>", depth)) + "<p>after</p></body>";

    [Fact]
    public void Parse_PathologicallyNestedElements_RefusedBeforeParsing()
    {
        var ex = Assert.Throws<DocumentParseException>(() => Parse(Nested(50_000)));

        Assert.Contains("levels deep", ex.Message);
    }

    [Fact]
    public void Parse_DeepButAcceptedNesting_TextKeptAndStructureBounded()
    {
        string html = "<body>" + string.Concat(Enumerable.Range(0, 1_500).Select(i => $"<div><p>t{i}</p>")) + new string('x', 1) + string.Concat(Enumerable.Repeat("</div>", 1_500)) + "<p>after</p></body>";

        var document = Parse(html);

        Assert.Contains("t0", document.Text);
        Assert.Contains("t1499", document.Text);
        Assert.EndsWith("after", document.Text);
        ParsedDocumentAssert.BlocksIndexText(document);
        Assert.True(document.Blocks.Count <= HtmlParser.MaxStructuralDepth + 3, $"{document.Blocks.Count} blocks");
    }

    [Fact]
    public void Parse_ManyUnclosedOptionalEndTags_NotTreatedAsDeep()
    {
        string html = "<ul>" + string.Concat(Enumerable.Range(0, 5_000).Select(i => $"<li>item {i}")) + "</ul>";

        var document = Parse(html);

        Assert.Equal(5_000, document.Blocks.Count(b => b.Kind == BlockKind.ListItem));
    }

    [Fact]
    public void Parse_OnlyScriptsAndNavigation_ThrowsEmpty()
    {
        var ex = Assert.Throws<DocumentParseException>(() => Parse("<html><body><script>x()</script><nav>Menu</nav></body></html>"));

        Assert.Contains("is empty", ex.Message);
    }
}
