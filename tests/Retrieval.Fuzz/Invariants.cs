using Retrieval.Core.Ingestion;

namespace Retrieval.Fuzz;

/// <summary>The contract every parser and the chunker promise (see IDocumentParser, TextNormalizer, TextChunker).</summary>
internal static class Invariants
{
    public static void CheckParsed(ParsedDocument parsed, int maxChars)
    {
        string text = parsed.Text;
        Require(text.Length <= maxChars, $"text of {text.Length} chars exceeds MaxDocumentChars {maxChars}");
        Require(text.Length > 0 && !string.IsNullOrWhiteSpace(text), "an empty document was accepted");
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            Require(!char.IsControl(c) || c is '\n' or '\t', $"control character U+{(int)c:X4} at {i}");
            if (char.IsHighSurrogate(c))
            {
                Require(i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]), $"lone high surrogate at {i}");
                i++;
            }
            else
            {
                Require(!char.IsLowSurrogate(c), $"lone low surrogate at {i}");
            }
        }

        int previousEnd = 0;
        foreach (var block in parsed.Blocks)
        {
            Require(block.Length > 0, "empty block");
            Require(block.Start >= previousEnd, $"block at {block.Start} overlaps the previous one ending at {previousEnd}");
            Require(block.Start + block.Length <= text.Length, "block beyond the end of the text");
            Require((block.Kind == BlockKind.Heading) == (block.HeadingLevel > 0), "heading level does not match kind");
            previousEnd = block.Start + block.Length;
        }
    }

    public static void CheckChunks(ParsedDocument parsed, IReadOnlyList<TextChunk> chunks)
    {
        Require(chunks.Count > 0, "a non-empty document produced no chunks");
        for (int i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            Require(chunk.Ordinal == i, "chunk ordinals are not 0..n-1");
            Require(chunk.StartOffset >= 0 && chunk.StartOffset < chunk.EndOffset && chunk.EndOffset <= parsed.Text.Length, "chunk offsets out of range");
            Require(string.CompareOrdinal(parsed.Text, chunk.StartOffset, chunk.Text, 0, Math.Max(chunk.Text.Length, chunk.EndOffset - chunk.StartOffset)) == 0,
                "chunk text is not the span of the document it points to");
        }
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new FuzzFindingException("invariant violated: " + what);
        }
    }
}
