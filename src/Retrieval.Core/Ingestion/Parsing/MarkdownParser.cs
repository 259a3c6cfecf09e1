using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Retrieval.Core.Ingestion.Parsing;

/// <summary>
/// Markdown through Markdig's syntax tree: headings (with levels), paragraphs, list items, code blocks and table rows
/// as plain text without markup. Raw HTML blocks are skipped. The walk uses explicit stacks, never recursion.
/// </summary>
public sealed class MarkdownParser : IDocumentParser
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseGridTables()
        .UseYamlFrontMatter()
        .Build();

    public IReadOnlyList<string> ContentTypes { get; } = ["text/markdown", "text/x-markdown"];

    public IReadOnlyList<string> Extensions { get; } = [".md", ".markdown"];

    public ParsedDocument Parse(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        string source = TextNormalizer.DecodeText(content.Span, "Markdown");
        MarkdownDocument document;
        try
        {
            document = Markdown.Parse(source, Pipeline);
        }
        catch (ArgumentException ex) when (ex.Message.Contains("nested", StringComparison.OrdinalIgnoreCase))
        {
            // Markdig's own depth limit: far beyond anything a real document does.
            throw new DocumentParseException("The Markdown document is nested too deeply to be parsed.", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new DocumentParseException("The Markdown document could not be parsed.", ex);
        }

        var builder = new DocumentTextBuilder("Markdown");
        string? frontMatterTitle = null;
        string? firstH1 = null;

        var stack = new Stack<(Block Block, BlockKind Kind)>();
        PushChildren(stack, document, BlockKind.Paragraph);
        int visited = 0;
        while (stack.Count > 0)
        {
            if (++visited % 1024 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var (block, kind) = stack.Pop();
            switch (block)
            {
                case YamlFrontMatterBlock yaml:
                    frontMatterTitle ??= FrontMatterTitle(yaml);
                    break;
                case HeadingBlock heading:
                    string headingText = builder.Add(InlineText(heading.Inline), BlockKind.Heading, heading.Level);
                    if (heading.Level == 1 && headingText.Length > 0)
                    {
                        firstH1 ??= headingText;
                    }

                    break;
                case CodeBlock code:
                    builder.Add(code.Lines.ToString(), BlockKind.Code);
                    break;
                case ParagraphBlock paragraph:
                    builder.Add(InlineText(paragraph.Inline), kind);
                    break;
                case TableRow row:
                    builder.Add(RowText(row), BlockKind.Table);
                    break;
                case ListItemBlock item:
                    PushChildren(stack, item, BlockKind.ListItem);
                    break;
                case ContainerBlock container when container is not LinkReferenceDefinitionGroup:
                    PushChildren(stack, container, kind);
                    break;
                default:
                    // Thematic breaks, raw HTML, link reference definitions: no text worth indexing.
                    break;
            }
        }

        return builder.Build(frontMatterTitle ?? firstH1);
    }

    private static void PushChildren(Stack<(Block, BlockKind)> stack, ContainerBlock container, BlockKind kind)
    {
        for (int i = container.Count - 1; i >= 0; i--)
        {
            stack.Push((container[i], kind));
        }
    }

    private static string RowText(TableRow row)
    {
        var cells = new List<string>(row.Count);
        foreach (var cell in row)
        {
            if (cell is not TableCell tableCell)
            {
                continue;
            }

            var text = new StringBuilder();
            foreach (var inner in tableCell)
            {
                if (inner is LeafBlock leaf)
                {
                    text.Append(InlineText(leaf.Inline)).Append(' ');
                }
            }

            cells.Add(TextNormalizer.NormalizeInline(text.ToString()));
        }

        return string.Join(" | ", cells);
    }

    private static string InlineText(ContainerInline? root)
    {
        if (root is null)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        var stack = new Stack<Inline>();
        PushInlineChildren(stack, root);
        while (stack.Count > 0)
        {
            switch (stack.Pop())
            {
                case LiteralInline literal:
                    sb.Append(literal.Content.AsSpan());
                    break;
                case CodeInline code:
                    sb.Append(code.Content);
                    break;
                case HtmlEntityInline entity:
                    sb.Append(entity.Transcoded.AsSpan());
                    break;
                case AutolinkInline autolink:
                    sb.Append(autolink.Url);
                    break;
                case LineBreakInline lineBreak:
                    sb.Append(lineBreak.IsHard ? '\n' : ' ');
                    break;
                case ContainerInline container:
                    PushInlineChildren(stack, container);
                    break;
                default:
                    // Raw inline HTML and other markup: no text.
                    break;
            }
        }

        return sb.ToString();
    }

    private static void PushInlineChildren(Stack<Inline> stack, ContainerInline container)
    {
        var children = new List<Inline>();
        for (var child = container.FirstChild; child is not null; child = child.NextSibling)
        {
            children.Add(child);
        }

        for (int i = children.Count - 1; i >= 0; i--)
        {
            stack.Push(children[i]);
        }
    }

    private static string? FrontMatterTitle(YamlFrontMatterBlock yaml)
    {
        var lines = yaml.Lines;
        for (int i = 0; i < lines.Count; i++)
        {
            var text = lines.Lines[i].Slice.AsSpan().Trim();
            if (text.StartsWith("title:", StringComparison.OrdinalIgnoreCase))
            {
                return text["title:".Length..].Trim().Trim("\"'").ToString();
            }
        }

        return null;
    }
}
