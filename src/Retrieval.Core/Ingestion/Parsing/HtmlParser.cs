using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Microsoft.Extensions.Options;
using Retrieval.Core.Options;

namespace Retrieval.Core.Ingestion.Parsing;

/// <summary>
/// HTML through AngleSharp: headings h1–h6, paragraphs, list items, preformatted code and table cells become blocks;
/// scripts, styles, navigation and templates are dropped. The DOM walk is iterative, and past
/// <see cref="MaxStructuralDepth"/> nested elements structure is ignored (text is still collected), so
/// pathological nesting can neither overflow the stack nor explode the block count.
/// </summary>
public sealed class HtmlParser : IDocumentParser
{
    /// <summary>Browsers stop nesting around 512 levels; deeper elements are treated as inline text.</summary>
    public const int MaxStructuralDepth = 256;

    /// <summary>The default of Retrieval:Ingestion:MaxHtmlDepth: deeper nesting is refused before parsing (tree building is quadratic in depth).</summary>
    public const int MaxNestingDepth = 2048;

    private readonly IOptions<IngestionOptions> _options;

    public HtmlParser()
        : this(Microsoft.Extensions.Options.Options.Create(new IngestionOptions()))
    {
    }

    public HtmlParser(IOptions<IngestionOptions> options)
    {
        _options = options;
    }

    private static readonly HashSet<string> Dropped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "nav", "noscript", "template", "head", "svg", "math", "canvas", "iframe", "object", "embed",
        "select", "button",
    };

    private static readonly HashSet<string> Containers = new(StringComparer.OrdinalIgnoreCase)
    {
        "html", "body", "main", "article", "section", "div", "header", "footer", "aside", "blockquote", "figure",
        "figcaption", "address", "details", "summary", "form", "fieldset", "table", "thead", "tbody", "tfoot", "tr",
        "caption", "ul", "ol", "dl", "dt", "dd", "hr", "center",
    };

    public IReadOnlyList<string> ContentTypes { get; } = ["text/html", "application/xhtml+xml"];

    public IReadOnlyList<string> Extensions { get; } = [".html", ".htm", ".xhtml"];

    public ParsedDocument Parse(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var options = _options.Value;
        string source = TextNormalizer.DecodeText(content.Span, "HTML");
        var (depth, elements) = HtmlNestingGuard.Measure(source, options.MaxHtmlDepth, options.MaxHtmlElements);
        if (depth > options.MaxHtmlDepth)
        {
            throw new DocumentParseException(
                $"The HTML document nests elements more than {options.MaxHtmlDepth} levels deep (Retrieval:Ingestion:MaxHtmlDepth).");
        }

        if (elements > options.MaxHtmlElements)
        {
            throw new PayloadTooLargeException(
                $"The HTML document has more than {options.MaxHtmlElements} elements (Retrieval:Ingestion:MaxHtmlElements).");
        }

        IDocument document;
        try
        {
            var parser = new AngleSharp.Html.Parser.HtmlParser(new HtmlParserOptions { IsScripting = false });
            document = parser.ParseDocument(source);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new DocumentParseException("The HTML document could not be parsed.", ex);
        }

        using (document)
        {
            var builder = new DocumentTextBuilder("HTML", options.MaxDocumentChars);
            string? firstH1 = Walk(document.Body ?? document.DocumentElement, builder, cancellationToken);
            string? title = DocumentTextBuilder.CleanTitle(document.Title) ?? firstH1;
            return builder.Build(title);
        }
    }

    private static string? Walk(IElement? root, DocumentTextBuilder builder, CancellationToken cancellationToken)
    {
        if (root is null)
        {
            return null;
        }

        string? firstH1 = null;
        var buffer = new StringBuilder();
        // The innermost block element decides the kind of the text flushed from the buffer.
        var blocks = new Stack<(BlockKind Kind, int Level, bool Preformatted)>();
        blocks.Push((BlockKind.Paragraph, 0, false));
        var work = new Stack<(INode Node, int Depth, bool Exit)>();
        work.Push((root, 0, false));
        int visited = 0;

        while (work.Count > 0)
        {
            if (++visited % 1024 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var (node, depth, exit) = work.Pop();
            if (exit)
            {
                var (kind, level, _) = blocks.Pop();
                string text = Flush(builder, buffer, kind, level);
                if (kind == BlockKind.Heading && level == 1 && text.Length > 0)
                {
                    firstH1 ??= text;
                }

                continue;
            }

            switch (node)
            {
                case IText textNode:
                    if (blocks.Peek().Preformatted)
                    {
                        buffer.Append(textNode.Data);
                    }
                    else
                    {
                        // Outside <pre>, HTML whitespace (including newlines) is just a word separator.
                        foreach (char c in textNode.Data)
                        {
                            buffer.Append(c is '\n' or '\r' or '\t' ? ' ' : c);
                        }
                    }

                    break;
                case IElement element:
                    string name = element.LocalName;
                    if (Dropped.Contains(name))
                    {
                        break;
                    }

                    if (name is "br")
                    {
                        buffer.Append('\n');
                        break;
                    }

                    var blockKind = Classify(name);
                    if (blockKind is { } k && depth <= MaxStructuralDepth)
                    {
                        // Text before a nested block belongs to the enclosing block.
                        var outer = blocks.Peek();
                        Flush(builder, buffer, outer.Kind, outer.Level);
                        blocks.Push((k.Kind, k.Level, k.Kind == BlockKind.Code || outer.Preformatted));
                        work.Push((element, depth, true));
                    }
                    else if (blockKind is not null)
                    {
                        // Too deep for structure: keep the words apart at least.
                        buffer.Append(' ');
                    }

                    var children = element.ChildNodes;
                    for (int i = children.Length - 1; i >= 0; i--)
                    {
                        work.Push((children[i], depth + 1, false));
                    }

                    break;
                default:
                    // Comments, processing instructions.
                    break;
            }
        }

        Flush(builder, buffer, BlockKind.Paragraph, 0);
        return firstH1;
    }

    private static (BlockKind Kind, int Level)? Classify(string name) => name switch
    {
        "h1" => (BlockKind.Heading, 1),
        "h2" => (BlockKind.Heading, 2),
        "h3" => (BlockKind.Heading, 3),
        "h4" => (BlockKind.Heading, 4),
        "h5" => (BlockKind.Heading, 5),
        "h6" => (BlockKind.Heading, 6),
        "p" => (BlockKind.Paragraph, 0),
        "li" => (BlockKind.ListItem, 0),
        "pre" => (BlockKind.Code, 0),
        "td" or "th" => (BlockKind.Table, 0),
        _ when Containers.Contains(name) => (BlockKind.Paragraph, 0),
        _ => null,
    };

    private static string Flush(DocumentTextBuilder builder, StringBuilder buffer, BlockKind kind, int level)
    {
        if (buffer.Length == 0)
        {
            return string.Empty;
        }

        string text = builder.Add(buffer.ToString(), kind, level);
        buffer.Clear();
        return text;
    }
}
