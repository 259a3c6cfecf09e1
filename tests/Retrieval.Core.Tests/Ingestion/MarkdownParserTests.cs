using System.Text;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Parsing;

namespace Retrieval.Core.Tests.Ingestion;

public sealed class MarkdownParserTests
{
    private static ParsedDocument Parse(string markdown) => new MarkdownParser().Parse(Encoding.UTF8.GetBytes(markdown), CancellationToken.None);

    [Fact]
    public void Parse_Sample_HeadingsParagraphsListsCodeAndTablesWithoutMarkup()
    {
        const string Markdown = """
            # Guide

            Read **this** _carefully_, see [the docs](https://example.com) and `config.json`.
            Second line of the same paragraph.

            ## Install

            - First *step*
            - Second step
              1. Nested step

            ```bash
            make install
              echo done
            ```

            | Name | Value |
            |------|-------|
            | a    | 1     |

            > Quoted text.

            <div>raw html is skipped</div>

            ---
            """;

        var document = Parse(Markdown);

        Assert.Equal("Guide", document.Title);
        Assert.Equal(
            [
                (BlockKind.Heading, 1, "Guide"),
                (BlockKind.Paragraph, 0, "Read this carefully, see the docs and config.json. Second line of the same paragraph."),
                (BlockKind.Heading, 2, "Install"),
                (BlockKind.ListItem, 0, "First step"),
                (BlockKind.ListItem, 0, "Second step"),
                (BlockKind.ListItem, 0, "Nested step"),
                (BlockKind.Code, 0, "make install\n  echo done"),
                (BlockKind.Table, 0, "Name | Value"),
                (BlockKind.Table, 0, "a | 1"),
                (BlockKind.Paragraph, 0, "Quoted text."),
            ],
            ParsedDocumentAssert.Blocks(document));
        Assert.DoesNotContain("raw html", document.Text);
    }

    [Fact]
    public void Parse_FrontMatterTitle_WinsOverFirstHeading()
    {
        var document = Parse("---\ntitle: \"Release notes\"\n---\n# Version 2\n\nText.");

        Assert.Equal("Release notes", document.Title);
        Assert.Equal("Version 2\n\nText.", document.Text);
    }

    [Fact]
    public void Parse_PathologicalNesting_FailsCleanlyWithoutStackOverflow()
    {
        string markdown = new string('>', 5_000) + " deep\n\n" + string.Concat(Enumerable.Repeat("*a ", 5_000)) + "\n\n" + new string('[', 5_000) + "x";

        var ex = Assert.Throws<DocumentParseException>(() => Parse(markdown));

        Assert.Contains("nested too deeply", ex.Message);
    }

    [Fact]
    public void Parse_ModeratelyNestedQuotesAndLists_TextKept()
    {
        string quotes = new string('>', 30) + " deep quote";
        string lists = string.Concat(Enumerable.Range(0, 30).Select(i => new string(' ', i * 2) + "- level " + i + "\n"));

        var document = Parse(quotes + "\n\n" + lists);

        Assert.Equal("deep quote", document.Text[..10]);
        Assert.Equal(30, document.Blocks.Count(b => b.Kind == BlockKind.ListItem));
        ParsedDocumentAssert.BlocksIndexText(document);
    }

    [Fact]
    public void Parse_OnlyMarkup_ThrowsEmpty()
    {
        var ex = Assert.Throws<DocumentParseException>(() => Parse("---\n\n<!-- comment -->\n\n***\n"));

        Assert.Contains("is empty", ex.Message);
    }
}
