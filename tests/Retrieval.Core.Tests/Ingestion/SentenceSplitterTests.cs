using Retrieval.Core.Ingestion.Chunking;

namespace Retrieval.Core.Tests.Ingestion;

public sealed class SentenceSplitterTests
{
    private static string[] Sentences(string text) => SentenceSplitter.Split(text).Select(r => text[r]).ToArray();

    [Fact]
    public void Split_SimpleSentences_SplitsAtTerminalPunctuation()
    {
        Assert.Equal(["One.", "Two!", "Three?", "Four"], Sentences("One. Two!  Three?\nFour"));
    }

    [Fact]
    public void Split_AbbreviationsInitialsAndAcronyms_NotBoundaries()
    {
        string text = "Dr. Smith met Prof. Jones, e.g. on Monday. J. R. Tolkien lived in the U.S. for a while. See Fig. 3 now.";

        Assert.Equal(
            ["Dr. Smith met Prof. Jones, e.g. on Monday.", "J. R. Tolkien lived in the U.S. for a while.", "See Fig. 3 now."],
            Sentences(text));
    }

    [Fact]
    public void Split_DecimalsUrlsAndVersions_NotBoundaries()
    {
        Assert.Equal(
            ["Revenue rose 3.5 percent at example.com in v1.2.3 builds.", "Then it fell."],
            Sentences("Revenue rose 3.5 percent at example.com in v1.2.3 builds. Then it fell."));
    }

    [Fact]
    public void Split_EllipsesAndQuotes_HandledLikeSentenceEnds()
    {
        Assert.Equal(
            ["He paused... and went on.", "Then he stopped...", "\"Stop!\" she said.", "(Quietly.)", "Done?!"],
            Sentences("He paused... and went on. Then he stopped... \"Stop!\" she said. (Quietly.) Done?!"));
    }

    [Fact]
    public void Split_LowercaseAfterPeriod_NotBoundary()
    {
        Assert.Single(Sentences("Meet at 5 p.m. tomorrow in room no. five."));
    }

    [Fact]
    public void Split_BlankLine_AlwaysBoundary()
    {
        Assert.Equal(["A heading without a period", "Text."], Sentences("A heading without a period\n\n  Text."));
    }

    [Fact]
    public void Split_CjkFullStops_Boundaries()
    {
        Assert.Equal(["今天很好。", "明天呢？"], Sentences("今天很好。明天呢？"));
    }

    [Fact]
    public void Split_AnyText_RangesTrimmedOrderedAndCoverAllNonWhitespace()
    {
        string text = "  Mixed text... with \"quotes.\" And e.g. abbreviations, 3.14 numbers!\n\nNew para?  yes. End";
        var ranges = SentenceSplitter.Split(text);

        var covered = new bool[text.Length];
        int previousEnd = 0;
        foreach (var range in ranges)
        {
            var (start, length) = range.GetOffsetAndLength(text.Length);
            Assert.True(start >= previousEnd);
            Assert.Equal(text.Substring(start, length).Trim(), text.Substring(start, length));
            for (int i = start; i < start + length; i++)
            {
                covered[i] = true;
            }

            previousEnd = start + length;
        }

        for (int i = 0; i < text.Length; i++)
        {
            Assert.True(covered[i] || char.IsWhiteSpace(text[i]), $"'{text[i]}' at {i} is not in any sentence");
        }
    }

    [Fact]
    public void Split_EmptyOrWhitespace_NoSentences()
    {
        Assert.Empty(SentenceSplitter.Split(""));
        Assert.Empty(SentenceSplitter.Split(" \n\t "));
    }
}
