using Retrieval.Core.Ingestion;

namespace Retrieval.Core.Tests.Ingestion;

internal static class ParsedDocumentAssert
{
    /// <summary>Blocks are ordered, disjoint, non-empty, trimmed, and index the text exactly.</summary>
    public static void BlocksIndexText(ParsedDocument document)
    {
        int previousEnd = 0;
        foreach (var block in document.Blocks)
        {
            Assert.True(block.Start >= previousEnd, $"block at {block.Start} overlaps the previous one ending at {previousEnd}");
            Assert.True(block.Length > 0);
            Assert.True(block.Start + block.Length <= document.Text.Length);
            string text = document.Text.Substring(block.Start, block.Length);
            Assert.Equal(text.Trim(), text);
            Assert.Equal(block.Kind == BlockKind.Heading, block.HeadingLevel > 0);
            previousEnd = block.Start + block.Length;
        }
    }

    public static IReadOnlyList<(BlockKind Kind, int Level, string Text)> Blocks(ParsedDocument document)
    {
        BlocksIndexText(document);
        return document.Blocks.Select(b => (b.Kind, b.HeadingLevel, document.Text.Substring(b.Start, b.Length))).ToList();
    }
}
