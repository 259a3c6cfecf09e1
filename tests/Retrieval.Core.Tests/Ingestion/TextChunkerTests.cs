using System.Text;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Chunking;
using Retrieval.Core.Ingestion.Parsing;

namespace Retrieval.Core.Tests.Ingestion;

public sealed class TextChunkerTests
{
    private static readonly string[] Words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"];

    private static ParsedDocument Markdown(string markdown) => new MarkdownParser().Parse(Encoding.UTF8.GetBytes(markdown), CancellationToken.None);

    /// <summary>Deterministic prose: paragraphs of sentences of 3–25 words.</summary>
    private static string Prose(int paragraphs, int seed = 1)
    {
        var random = new Random(seed);
        var sb = new StringBuilder();
        for (int p = 0; p < paragraphs; p++)
        {
            int sentences = random.Next(1, 8);
            for (int s = 0; s < sentences; s++)
            {
                int words = random.Next(3, 26);
                sb.Append("Word");
                for (int w = 1; w < words; w++)
                {
                    sb.Append(' ').Append(Words[random.Next(Words.Length)]);
                }

                sb.Append(s % 3 == 0 ? ", e.g. 3.5 units. " : ". ");
            }

            sb.Append("\n\n");
        }

        return sb.ToString();
    }

    private static void AssertChunkInvariants(ParsedDocument document, IReadOnlyList<TextChunk> chunks, ITextTokenizer tokenizer, int budget)
    {
        for (int i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            Assert.Equal(i, chunk.Ordinal);
            Assert.Equal(document.Text[chunk.StartOffset..chunk.EndOffset], chunk.Text);
            Assert.Equal(chunk.Text.Trim(), chunk.Text);
            Assert.Equal(tokenizer.CountTokens(chunk.Text), chunk.TokenCount);
            Assert.True(chunk.TokenCount <= budget, $"chunk {i} has {chunk.TokenCount} tokens, budget {budget}");
            if (i > 0)
            {
                Assert.True(chunk.StartOffset > chunks[i - 1].StartOffset, "chunks must advance");
                Assert.True(chunk.EndOffset > chunks[i - 1].EndOffset, "chunks must add new text");
            }
        }

        // Together the chunks cover every non-whitespace character.
        var covered = new bool[document.Text.Length];
        foreach (var chunk in chunks)
        {
            Array.Fill(covered, true, chunk.StartOffset, chunk.EndOffset - chunk.StartOffset);
        }

        for (int i = 0; i < covered.Length; i++)
        {
            Assert.True(covered[i] || char.IsWhiteSpace(document.Text[i]), $"character {i} '{document.Text[i]}' is in no chunk");
        }
    }

    [Theory]
    [InlineData(32, 0)]
    [InlineData(50, 10)]
    [InlineData(256, 32)]
    public void Chunk_LongProse_WithinBudgetCoveringAllTextInOrder(int budget, int overlap)
    {
        var document = Markdown(Prose(60));
        var tokenizer = new WhitespaceTokenizer();

        var chunks = TextChunker.Chunk(document, tokenizer, budget, overlap);

        Assert.True(chunks.Count > 3);
        AssertChunkInvariants(document, chunks, tokenizer, budget);
    }

    [Fact]
    public void Chunk_WithOverlap_RepeatsWholeTrailingSentencesWithinBound()
    {
        var document = Markdown(Prose(40, seed: 5));
        var tokenizer = new WhitespaceTokenizer();
        var sentenceStarts = SentenceSplitter.Split(document.Text).Select(r => r.Start.GetOffset(document.Text.Length)).ToHashSet();

        var chunks = TextChunker.Chunk(document, tokenizer, 60, 20);

        int overlapping = 0;
        for (int i = 1; i < chunks.Count; i++)
        {
            var (previous, current) = (chunks[i - 1], chunks[i]);
            if (current.StartOffset >= previous.EndOffset)
            {
                continue;
            }

            overlapping++;
            string repeated = document.Text[current.StartOffset..previous.EndOffset];
            Assert.InRange(tokenizer.CountTokens(repeated), 1, 20);
            Assert.Contains(current.StartOffset, sentenceStarts);
            Assert.True(current.StartOffset > previous.StartOffset, "the whole previous chunk must never be repeated");
        }

        Assert.True(overlapping >= chunks.Count / 2, $"{overlapping} of {chunks.Count} chunks overlap");
    }

    [Fact]
    public void Chunk_NoOverlap_ChunksAreDisjoint()
    {
        var document = Markdown(Prose(30));

        var chunks = TextChunker.Chunk(document, new WhitespaceTokenizer(), 40, 0);

        Assert.All(chunks.Skip(1).Zip(chunks), pair => Assert.True(pair.First.StartOffset >= pair.Second.EndOffset));
    }

    [Fact]
    public void Chunk_Sections_BreakAtHeadingsWithHeadingPaths()
    {
        var document = Markdown("# Guide\n\nIntro text.\n\n## Install\n\n### Linux\n\nRun apt. Then reboot.\n\n## Usage\n\nUse it.\n\n# Appendix\n\nMore.");

        var chunks = TextChunker.Chunk(document, new WhitespaceTokenizer(), 100, 10);

        Assert.Equal(
            [
                ("Guide", "Guide\n\nIntro text."),
                ("Guide > Install > Linux", "Install\n\nLinux\n\nRun apt. Then reboot."),
                ("Guide > Usage", "Usage\n\nUse it."),
                ("Appendix", "Appendix\n\nMore."),
            ],
            chunks.Select(c => (c.SectionPath, c.Text)));
    }

    [Fact]
    public void Chunk_TextBeforeFirstHeading_EmptySectionPath()
    {
        var document = Markdown("Preamble.\n\n# Title\n\nBody.");

        var chunks = TextChunker.Chunk(document, new WhitespaceTokenizer(), 100, 0);

        Assert.Equal(["", "Title"], chunks.Select(c => c.SectionPath));
    }

    [Fact]
    public void Chunk_SectionSplitAcrossChunks_KeepsPathAndNeverEndsWithHeading()
    {
        var document = Markdown("# Big\n\n" + Prose(10) + "# Small\n\nTail sentence here.");

        var chunks = TextChunker.Chunk(document, new WhitespaceTokenizer(), 40, 8);

        var headings = document.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => b.Start + b.Length).ToHashSet();
        Assert.All(chunks, c => Assert.DoesNotContain(c.EndOffset, headings));
        Assert.All(chunks.Take(chunks.Count - 1), c => Assert.Equal("Big", c.SectionPath));
        Assert.Equal(("Small", "Small\n\nTail sentence here."), (chunks[^1].SectionPath, chunks[^1].Text));
    }

    [Fact]
    public void Chunk_ParagraphEndAtLeastHalfFull_PreferredToSentenceEnd()
    {
        string first = "One two three four five six seven eight nine ten. Eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty.";
        string second = "Second paragraph first sentence has exactly ten words here. Another ten words sentence follows right after the first one.";
        var document = Markdown(first + "\n\n" + second);

        var chunks = TextChunker.Chunk(document, new WhitespaceTokenizer(), 32, 0);

        Assert.Equal([first, second], chunks.Select(c => c.Text));
    }

    [Fact]
    public void Chunk_SentenceLongerThanBudget_SplitAtWordBoundaries()
    {
        string sentence = string.Join(' ', Enumerable.Range(0, 130).Select(i => $"w{i}")) + ".";
        var document = Markdown(sentence);
        var tokenizer = new WhitespaceTokenizer();

        var chunks = TextChunker.Chunk(document, tokenizer, 50, 10);

        Assert.Equal([50, 50, 30], chunks.Select(c => c.TokenCount));
        AssertChunkInvariants(document, chunks, tokenizer, 50);
    }

    [Fact]
    public void Chunk_SingleTokenRunLongerThanBudget_OwnChunkAndNoEndlessLoop()
    {
        string blob = new string('x', 400);
        var document = Markdown($"Short start here. {blob} short end here.");
        var tokenizer = new CharacterTokenizer();

        var chunks = TextChunker.Chunk(document, tokenizer, 20, 5);

        var oversized = Assert.Single(chunks, c => c.TokenCount > 20);
        Assert.Equal(blob, oversized.Text);
        Assert.Equal("Short start here.", chunks[0].Text);
        Assert.EndsWith("short end here.", chunks[^1].Text);
    }

    [Fact]
    public void Chunk_LongDocument_CountsEachPieceOnceNotTheGrowingChunk()
    {
        var document = Markdown(Prose(300));
        var tokenizer = new WhitespaceTokenizer();

        var chunks = TextChunker.Chunk(document, tokenizer, 256, 32);

        // Each sentence once plus each finished chunk once (overlap repeats at most 32 of 256 tokens).
        Assert.True(tokenizer.CharactersCounted < 2.5 * document.Text.Length, $"{tokenizer.CharactersCounted} characters counted for {document.Text.Length}");
        Assert.NotEmpty(chunks);
    }

    [Fact]
    public void Chunk_SameInputTwice_SameChunks()
    {
        var document = Markdown("# T\n\n" + Prose(20, seed: 9));

        var first = TextChunker.Chunk(document, new WhitespaceTokenizer(), 45, 12);
        var second = TextChunker.Chunk(document, new WhitespaceTokenizer(), 45, 12);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Chunk_CodeBlock_SplitAtLinesNotSentences()
    {
        var document = Markdown("```\nx = a.b. C\ny = 2\nz = 3\n```");

        var chunks = TextChunker.Chunk(document, new WhitespaceTokenizer(), 6, 0);

        Assert.Equal(["x = a.b. C", "y = 2\nz = 3"], chunks.Select(c => c.Text));
    }

    [Fact]
    public void Chunk_DocumentWithoutBlocks_TreatedAsOneParagraph()
    {
        var document = new ParsedDocument("First sentence. Second sentence.", null, []);

        var chunks = TextChunker.Chunk(document, new WhitespaceTokenizer(), 2, 0);

        Assert.Equal(["First sentence.", "Second sentence."], chunks.Select(c => c.Text));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, -1)]
    [InlineData(10, 10)]
    public void Chunk_InvalidBudget_Throws(int budget, int overlap)
    {
        var document = Markdown("Text.");

        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => TextChunker.Chunk(document, new WhitespaceTokenizer(), budget, overlap));
    }

    /// <summary>One token per started group of 4 characters of each word: long words cost many tokens.</summary>
    private sealed class CharacterTokenizer : ITextTokenizer
    {
        public int CountTokens(string text) =>
            text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Sum(w => (w.Length + 3) / 4);
    }
}
