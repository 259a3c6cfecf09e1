using Retrieval.Core.Answering;

namespace Retrieval.Core.Tests.Answering;

public sealed class ExtractiveAnswererTests
{
    [Theory]
    [InlineData("Vaccines train the immune system to recognise a pathogen.", true)]
    [InlineData("IL-6 levels rose by 35% (p < 0.05) in the treated group.", true)]
    [InlineData("Connecting to the service", false)]
    [InlineData("--url <URL> | service base address | $RETRIEVAL_URL", false)]
    [InlineData("var x = new Dictionary<string, int> { [\"a\"] = 1 };", false)]
    [InlineData("Too short.", false)]
    [InlineData("The CLI takes these options:", false)]
    [InlineData("A long statement without a full stop that still reads as prose because it has many words in it", true)]
    public void IsQuotable_ProseYes_StructureNo(string sentence, bool expected) =>
        Assert.Equal(expected, ExtractiveAnswerer.IsQuotable(sentence));

    [Theory]
    [InlineData("It rains.", 1, "It rains [1].")]
    [InlineData("Is it raining?", 2, "Is it raining [2]?")]
    [InlineData("He left (in 1843).", 1, "He left (in 1843) [1].")]
    [InlineData("Supported models (minilm)", 3, "Supported models (minilm) [3].")]
    public void WithCitation_GoesBeforeFinalStop_AndAddsOneWhenMissing(string sentence, int index, string expected) =>
        Assert.Equal(expected, ExtractiveAnswerer.WithCitation(sentence, index));

    [Fact]
    public void WithCitation_OutputSplitsIntoTheSameSentencesWithCitations()
    {
        var answer = string.Join(" ", ExtractiveAnswerer.WithCitation("Supported models (minilm)", 1), ExtractiveAnswerer.WithCitation("Vaccines train the immune system.", 2));

        var sentences = AnswerVerifier.SplitWithCitations(answer);

        Assert.Equal(2, sentences.Count);
        Assert.Equal([1], sentences[0].Citations);
        Assert.Equal([2], sentences[1].Citations);
    }
}
