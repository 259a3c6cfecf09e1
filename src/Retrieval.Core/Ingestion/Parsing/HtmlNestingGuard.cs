namespace Retrieval.Core.Ingestion.Parsing;

/// <summary>
/// Estimates how deeply an HTML source nests elements, and how many it has, before the real parse: AngleSharp's tree
/// building slows down quadratically with depth (20,000 nested elements take seconds), and every element costs DOM
/// memory (32 MB of <c>&lt;br&gt;</c> is 8 million nodes), so absurd nesting and element counts are refused up front.
/// Elements whose end tag is optional or absent (p, li, td, void elements…) are not counted, so ordinary sloppy HTML
/// does not look deep.
/// </summary>
internal static class HtmlNestingGuard
{
    private static readonly HashSet<string> NotCounted = new(StringComparer.OrdinalIgnoreCase)
    {
        // void elements
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
        // optional end tags
        "html", "head", "body", "p", "li", "dt", "dd", "td", "th", "tr", "thead", "tbody", "tfoot", "option", "optgroup",
        "rb", "rt", "rp", "rtc", "colgroup", "caption",
    };

    private static readonly HashSet<string> RawText = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext",
    };

    /// <summary>The deepest element nesting found, stopping early once <paramref name="limit"/> is exceeded.</summary>
    public static int MaxDepth(string html, int limit) => Measure(html, limit, int.MaxValue).Depth;

    /// <summary>
    /// The deepest element nesting and the number of start tags, stopping early once either exceeds its limit.
    /// </summary>
    public static (int Depth, int Elements) Measure(string html, int depthLimit, int elementLimit)
    {
        int depth = 0;
        int max = 0;
        int elements = 0;
        int i = 0;
        while ((i = html.IndexOf('<', i)) >= 0 && i + 1 < html.Length)
        {
            char next = html[i + 1];
            if (next == '!')
            {
                int close = string.CompareOrdinal(html, i, "<!--", 0, 4) == 0
                    ? html.IndexOf("-->", i + 4, StringComparison.Ordinal)
                    : html.IndexOf('>', i + 2);
                i = close < 0 ? html.Length : close + 1;
                continue;
            }

            bool closing = next == '/';
            int nameStart = i + (closing ? 2 : 1);
            int nameEnd = nameStart;
            while (nameEnd < html.Length && (char.IsAsciiLetterOrDigit(html[nameEnd]) || html[nameEnd] is '-' or ':'))
            {
                nameEnd++;
            }

            if (nameEnd == nameStart || !char.IsAsciiLetter(html[nameStart]))
            {
                i++;
                continue;
            }

            string name = html[nameStart..nameEnd];
            int tagEnd = html.IndexOf('>', nameEnd);
            if (tagEnd < 0)
            {
                break;
            }

            i = tagEnd + 1;
            if (closing)
            {
                if (!NotCounted.Contains(name) && depth > 0)
                {
                    depth--;
                }

                continue;
            }

            if (++elements > elementLimit)
            {
                return (max, elements);
            }

            if (RawText.Contains(name))
            {
                int end = html.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
                i = end < 0 ? html.Length : end;
                continue;
            }

            if (!NotCounted.Contains(name) && html[tagEnd - 1] != '/')
            {
                depth++;
                if (depth > max)
                {
                    max = depth;
                    if (max > depthLimit)
                    {
                        return (max, elements);
                    }
                }
            }
        }

        return (max, elements);
    }
}
