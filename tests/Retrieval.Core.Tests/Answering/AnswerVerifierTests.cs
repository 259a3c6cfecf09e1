using Retrieval.Core.Answering;

namespace Retrieval.Core.Tests.Answering;

public sealed class AnswerVerifierTests
{
    private static readonly AnswerSource[] Sources =
    [
        new(1, "c1", "d1", "Vaccines", "Vaccines train the immune system to recognise a pathogen. The first vaccine was developed in 1796 by Edward Jenner."),
        new(2, "c2", "d2", "Football", "The match ended two to one after extra time."),
    ];

    private readonly AnswerVerifier _verifier = new();

    [Fact]
    public void Verify_QuotedSentencesWithCitations_AreSupported()
    {
        var report = _verifier.Verify("Vaccines train the immune system to recognise a pathogen [1]. The first vaccine was developed in 1796 by Edward Jenner [1].", Sources);

        Assert.Equal(2, report.Sentences.Count);
        Assert.All(report.Sentences, s => Assert.True(s.Supported));
        Assert.Equal(1.0, report.Ratio);
        Assert.Equal([1], report.Sentences[0].Citations);
    }

    [Fact]
    public void Verify_SentenceWithoutCitation_IsUnsupported()
    {
        var report = _verifier.Verify("Vaccines train the immune system to recognise a pathogen.", Sources);

        Assert.False(Assert.Single(report.Sentences).Supported);
        Assert.Equal(0, report.Ratio);
    }

    [Fact]
    public void Verify_CitationOfUnknownSource_IsUnsupported()
    {
        var report = _verifier.Verify("Vaccines train the immune system [7].", Sources);

        Assert.False(Assert.Single(report.Sentences).Supported);
    }

    [Fact]
    public void Verify_WrongSourceCited_IsUnsupported()
    {
        var report = _verifier.Verify("Vaccines train the immune system to recognise a pathogen [2].", Sources);

        Assert.False(Assert.Single(report.Sentences).Supported);
    }

    [Fact]
    public void Verify_FabricatedNumber_IsUnsupported()
    {
        var report = _verifier.Verify("The first vaccine was developed in 1820 by Edward Jenner [1].", Sources);

        Assert.False(Assert.Single(report.Sentences).Supported);
    }

    [Fact]
    public void Verify_AddedNegation_IsUnsupported()
    {
        var report = _verifier.Verify("Vaccines do not train the immune system to recognise a pathogen [1].", Sources);

        Assert.False(Assert.Single(report.Sentences).Supported);
    }

    [Fact]
    public void Verify_HalfSupported_RatioIsHalf()
    {
        var report = _verifier.Verify("Vaccines train the immune system [1]. Penguins invented the telescope [1].", Sources);

        Assert.Equal(0.5, report.Ratio);
    }

    [Fact]
    public void SplitWithCitations_CitationAfterPeriod_BelongsToPreviousSentence()
    {
        var sentences = AnswerVerifier.SplitWithCitations("Vaccines train the immune system. [1] The match ended two to one. [2, 1]");

        Assert.Equal(2, sentences.Count);
        Assert.Equal([1], sentences[0].Citations);
        Assert.Equal([2, 1], sentences[1].Citations);
        Assert.Equal("The match ended two to one.", sentences[1].Text);
    }
}
