using Retrieval.Core.Embeddings;

namespace Retrieval.Core.Ingestion.Chunking;

/// <summary>
/// Structure-aware, token-budgeted chunking. Every chunk's text is the exact span <c>Text[Start..End)</c> of the
/// parsed document, so citations can point into the source; headings travel in <see cref="TextChunk.SectionPath"/>.
/// <list type="bullet">
/// <item>A heading always starts a new chunk (consecutive headings stay with the content that follows them).</item>
/// <item>Within a section, sentences are packed up to the budget; when one does not fit, the chunk ends at the last
/// paragraph end if that keeps it at least half full, otherwise at the last sentence end.</item>
/// <item>Only a sentence longer than the whole budget is split, at word boundaries; a single word longer than the
/// budget becomes a chunk of its own (the one case a chunk exceeds the budget).</item>
/// <item>No chunk is longer than <c>chunkTokens</c> × <see cref="MaxCharsPerToken"/> characters: a run without
/// whitespace (a base64 blob, a 20 MB line) counts as one unknown token in a WordPiece vocabulary, so the token budget
/// alone would not bound it; such runs are cut into slices of that many characters.</item>
/// <item>The next chunk of the same section repeats whole trailing sentences of the previous one, at most
/// <c>overlapTokens</c>, never the whole previous chunk; there is no overlap across a heading.</item>
/// </list>
/// Each sentence is counted once; token counts are assumed additive over whitespace-separated pieces, which holds for
/// BERT-style tokenizers.
/// </summary>
public static class TextChunker
{
    public const string SectionSeparator = " > ";

    /// <summary>Characters per budgeted token beyond which text is cut regardless of its token count.</summary>
    public const int MaxCharsPerToken = 32;

    private const int MaxHeadingCharsInPath = 200;

    private readonly record struct Unit(int Start, int End, int Tokens, bool IsHeading, bool EndsBlock, int Section);

    public static IReadOnlyList<TextChunk> Chunk(
        ParsedDocument document, ITextTokenizer tokenizer, int chunkTokens, int overlapTokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkTokens, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(overlapTokens);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(overlapTokens, chunkTokens);

        var sections = new List<string> { string.Empty };
        int maxChars = (int)Math.Min(int.MaxValue, (long)chunkTokens * MaxCharsPerToken);
        var units = BuildUnits(document, tokenizer, chunkTokens, maxChars, sections, cancellationToken);
        return Pack(document.Text, units, sections, tokenizer, chunkTokens, maxChars, overlapTokens, cancellationToken);
    }

    private static List<Unit> BuildUnits(
        ParsedDocument document, ITextTokenizer tokenizer, int budget, int maxChars, List<string> sections, CancellationToken cancellationToken)
    {
        string text = document.Text;
        var blocks = document.Blocks.Count > 0
            ? document.Blocks.OrderBy(b => b.Start).ToList()
            : [new TextBlock(0, text.Length, BlockKind.Paragraph)];

        var units = new List<Unit>();
        var headings = new List<(int Level, string Text)>();
        var spans = new List<(int Start, int End)>();
        int section = 0;
        int previousEnd = 0;
        foreach (var block in blocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int start = Math.Clamp(Math.Max(block.Start, previousEnd), 0, text.Length);
            int end = Math.Clamp(block.Start + block.Length, start, text.Length);
            previousEnd = end;
            if (start == end)
            {
                continue;
            }

            spans.Clear();
            bool isHeading = block.Kind == BlockKind.Heading;
            if (isHeading)
            {
                int level = Math.Max(block.HeadingLevel, 1);
                headings.RemoveAll(h => h.Level >= level);
                headings.Add((level, HeadingText(text, start, end)));
                sections.Add(string.Join(SectionSeparator, headings.Select(h => h.Text)));
                section = sections.Count - 1;
                AddTrimmed(text, start, end, spans);
            }
            else if (block.Kind == BlockKind.Code)
            {
                AddLines(text, start, end, spans); // sentence rules mean nothing in code
            }
            else
            {
                SentenceSplitter.Split(text, start, end, spans);
            }

            int firstOfBlock = units.Count;
            foreach (var (s, e) in spans)
            {
                int tokens = e - s <= maxChars ? tokenizer.CountTokens(text[s..e]) : int.MaxValue;
                if (tokens <= budget)
                {
                    units.Add(new Unit(s, e, tokens, isHeading, false, section));
                }
                else
                {
                    AddWordPieces(text, s, e, tokenizer, budget, maxChars, isHeading, section, units, cancellationToken);
                }
            }

            if (units.Count > firstOfBlock)
            {
                units[^1] = units[^1] with { EndsBlock = true };
            }
        }

        return units;
    }

    private static List<TextChunk> Pack(
        string text, List<Unit> units, List<string> sections, ITextTokenizer tokenizer, int budget, int maxChars, int overlap,
        CancellationToken cancellationToken)
    {
        var chunks = new List<TextChunk>();
        int start = 0;
        int firstNew = 0; // units before this index were already emitted (overlap)
        while (start < units.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int tokens = 0;
            bool hasContent = false;
            int lastBlockEnd = -1;
            int tokensAtBlockEnd = 0;
            int j = start;
            for (; j < units.Count; j++)
            {
                var unit = units[j];
                if (unit.IsHeading && hasContent)
                {
                    break; // a heading starts a new chunk
                }

                if (j > start && (tokens + unit.Tokens > budget || unit.End - units[start].Start > maxChars))
                {
                    break;
                }

                tokens += unit.Tokens;
                hasContent |= !unit.IsHeading;
                if (unit.EndsBlock && j >= firstNew)
                {
                    lastBlockEnd = j;
                    tokensAtBlockEnd = tokens;
                }
            }

            int end = j;
            bool overflowed = end < units.Count && !(units[end].IsHeading && hasContent);
            if (overflowed)
            {
                if (lastBlockEnd >= start && lastBlockEnd + 1 < end && tokensAtBlockEnd * 2 >= budget)
                {
                    end = lastBlockEnd + 1; // prefer a paragraph end to a sentence end
                }

                while (end - start > 1 && end > firstNew + 1 && units[end - 1].IsHeading)
                {
                    end--; // a heading is never the last thing in a chunk
                }
            }

            int chunkStart = units[start].Start;
            int chunkEnd = units[end - 1].End;
            string chunkText = text[chunkStart..chunkEnd];
            chunks.Add(new TextChunk(
                chunks.Count, chunkText, chunkStart, chunkEnd, sections[units[end - 1].Section], tokenizer.CountTokens(chunkText)));

            if (end >= units.Count)
            {
                break;
            }

            int next = end;
            if (overflowed && overlap > 0 && !units[end].IsHeading)
            {
                int repeated = 0;
                while (next - 1 > start && !units[next - 1].IsHeading
                    && repeated + units[next - 1].Tokens <= overlap
                    && repeated + units[next - 1].Tokens + units[end].Tokens <= budget
                    && units[end].End - units[next - 1].Start <= maxChars)
                {
                    next--;
                    repeated += units[next].Tokens;
                }
            }

            start = next;
            firstNew = end;
        }

        return chunks;
    }

    private static void AddWordPieces(
        string text, int start, int end, ITextTokenizer tokenizer, int budget, int maxChars, bool isHeading, int section, List<Unit> units,
        CancellationToken cancellationToken)
    {
        int pieceStart = -1;
        int pieceEnd = -1;
        int pieceTokens = 0;
        int i = start;
        while (i < end)
        {
            while (i < end && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= end)
            {
                break;
            }

            int wordStart = i;
            while (i < end && !char.IsWhiteSpace(text[i]) && i - wordStart < maxChars)
            {
                i++;
            }

            if (i - wordStart == maxChars && i < end && char.IsLowSurrogate(text[i]) && i - 1 > wordStart)
            {
                i--; // never cut a surrogate pair
            }

            if (units.Count % 1024 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            int wordTokens = tokenizer.CountTokens(text[wordStart..i]);
            if (pieceStart >= 0 && (pieceTokens + wordTokens > budget || i - pieceStart > maxChars))
            {
                units.Add(new Unit(pieceStart, pieceEnd, pieceTokens, isHeading, false, section));
                pieceStart = -1;
                pieceTokens = 0;
            }

            if (pieceStart < 0)
            {
                pieceStart = wordStart;
            }

            pieceEnd = i;
            pieceTokens += wordTokens;
        }

        if (pieceStart >= 0)
        {
            units.Add(new Unit(pieceStart, pieceEnd, pieceTokens, isHeading, false, section));
        }
    }

    private static void AddLines(string text, int start, int end, List<(int Start, int End)> spans)
    {
        int lineStart = start;
        while (lineStart < end)
        {
            int newline = text.IndexOf('\n', lineStart, end - lineStart);
            int lineEnd = newline < 0 ? end : newline;
            AddTrimmed(text, lineStart, lineEnd, spans);
            lineStart = lineEnd + 1;
        }
    }

    private static void AddTrimmed(string text, int start, int end, List<(int Start, int End)> spans)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        if (end > start)
        {
            spans.Add((start, end));
        }
    }

    private static string HeadingText(string text, int start, int end)
    {
        string heading = string.Join(' ', text[start..end].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return heading.Length <= MaxHeadingCharsInPath ? heading : heading[..MaxHeadingCharsInPath].TrimEnd();
    }
}
