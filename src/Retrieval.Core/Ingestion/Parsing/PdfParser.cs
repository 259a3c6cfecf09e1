using System.Text;
using Microsoft.Extensions.Options;
using Retrieval.Core.Options;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.PageSegmenter;
using UglyToad.PdfPig.DocumentLayoutAnalysis.ReadingOrderDetector;
using UglyToad.PdfPig.DocumentLayoutAnalysis.WordExtractor;
using UglyToad.PdfPig.Exceptions;
using PdfTextBlock = UglyToad.PdfPig.DocumentLayoutAnalysis.TextBlock;

namespace Retrieval.Core.Ingestion.Parsing;

/// <summary>
/// PDF through PdfPig: words joined into lines, lines into layout blocks (Docstrum) in reading order, one block per
/// paragraph. Short blocks set noticeably larger than the body text become headings. Scanned (image-only) PDFs have
/// no text and fail as empty. Decompressed text is capped at MaxDocumentChars.
/// </summary>
public sealed class PdfParser : IDocumentParser
{
    private const int MaxHeadingChars = 200;

    private readonly IOptions<IngestionOptions> _options;

    public PdfParser(IOptions<IngestionOptions> options)
    {
        _options = options;
    }

    public IReadOnlyList<string> ContentTypes { get; } = ["application/pdf"];

    public IReadOnlyList<string> Extensions { get; } = [".pdf"];

    public ParsedDocument Parse(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            return ParseCore(content, cancellationToken);
        }
        catch (PdfDocumentEncryptedException ex)
        {
            throw new DocumentParseException("The PDF is encrypted; password-protected PDFs are not supported.", ex);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or ValidationException))
        {
            throw new DocumentParseException("The PDF is corrupt or truncated and could not be read.", ex);
        }
    }

    private ParsedDocument ParseCore(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var paragraphs = new List<(string Text, double FontSize, int Lines)>();
        string? infoTitle;
        using (var pdf = PdfDocument.Open(content, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true }))
        {
            infoTitle = pdf.Information.Title;
            long chars = 0;
            for (int pageNumber = 1; pageNumber <= pdf.NumberOfPages; pageNumber++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = pdf.GetPage(pageNumber);
                var words = NearestNeighbourWordExtractor.Instance.GetWords(page.Letters).ToList();
                if (words.Count == 0)
                {
                    continue;
                }

                var blocks = DocstrumBoundingBoxes.Instance.GetBlocks(words);
                foreach (var block in UnsupervisedReadingOrderDetector.Instance.Get(blocks))
                {
                    var paragraph = BlockText(block);
                    chars += paragraph.Text.Length;
                    if (chars > _options.Value.MaxDocumentChars)
                    {
                        throw new PayloadTooLargeException(
                            "The PDF has more text than Retrieval:Ingestion:MaxDocumentChars allows.");
                    }

                    paragraphs.Add(paragraph);
                }
            }
        }

        double bodySize = BodyFontSize(paragraphs);
        var builder = new DocumentTextBuilder("PDF", _options.Value.MaxDocumentChars);
        string? firstHeading = null;
        string? firstLine = null;
        foreach (var (text, fontSize, lines) in paragraphs)
        {
            int level = HeadingLevel(text, fontSize, lines, bodySize);
            string added = builder.Add(text, level > 0 ? BlockKind.Heading : BlockKind.Paragraph, level);
            if (added.Length > 0)
            {
                firstLine ??= added.Split('\n')[0];
                if (level > 0)
                {
                    firstHeading ??= added;
                }
            }
        }

        return builder.Build(DocumentTextBuilder.CleanTitle(infoTitle) ?? firstHeading ?? ShortOrNull(firstLine));
    }

    private static (string Text, double FontSize, int Lines) BlockText(PdfTextBlock block)
    {
        var sb = new StringBuilder();
        double sizeSum = 0;
        int letters = 0;
        foreach (var line in block.TextLines)
        {
            string lineText = string.Join(' ', line.Words.Select(w => w.Text));
            if (sb.Length > 0)
            {
                // Re-join words hyphenated across a line break ("infor-" + "mation").
                bool hyphenated = sb.Length > 1 && sb[^1] == '-' && char.IsLetter(sb[^2]) && lineText.Length > 0 && char.IsLower(lineText[0]);
                if (hyphenated)
                {
                    sb.Length--;
                }
                else
                {
                    sb.Append(' ');
                }
            }

            sb.Append(lineText);
            foreach (var word in line.Words)
            {
                foreach (var letter in word.Letters)
                {
                    sizeSum += letter.PointSize;
                    letters++;
                }
            }
        }

        return (sb.ToString(), letters == 0 ? 0 : sizeSum / letters, block.TextLines.Count);
    }

    /// <summary>The most common font size, weighted by characters: the body text.</summary>
    private static double BodyFontSize(List<(string Text, double FontSize, int Lines)> paragraphs)
    {
        var weights = new Dictionary<double, long>();
        foreach (var (text, size, _) in paragraphs)
        {
            double key = Math.Round(size, 1);
            weights[key] = weights.GetValueOrDefault(key) + text.Length;
        }

        return weights.Count == 0 ? 0 : weights.MaxBy(kv => kv.Value).Key;
    }

    private static int HeadingLevel(string text, double fontSize, int lines, double bodySize)
    {
        if (bodySize <= 0 || lines > 3 || text.Length > MaxHeadingChars || text.TrimEnd().EndsWith('.'))
        {
            return 0;
        }

        double ratio = fontSize / bodySize;
        return ratio switch
        {
            >= 1.6 => 1,
            >= 1.3 => 2,
            >= 1.15 => 3,
            _ => 0,
        };
    }

    private static string? ShortOrNull(string? line) => line is { Length: > 0 and <= MaxHeadingChars } ? line : null;
}
