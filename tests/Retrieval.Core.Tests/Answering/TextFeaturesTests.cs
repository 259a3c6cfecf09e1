using Retrieval.Core.Answering;

namespace Retrieval.Core.Tests.Answering;

public sealed class TextFeaturesTests
{
    [Theory]
    [InlineData("vaccines", "vaccine")]
    [InlineData("running", "run")]
    [InlineData("studies", "study")]
    [InlineData("trained", "train")]
    [InlineData("bus", "bus")]
    [InlineData("1796", "1796")]
    public void Stem_CommonSuffixes_AreStripped(string word, string expected) =>
        Assert.Equal(expected, TextFeatures.Stem(word));

    [Fact]
    public void ContentTerms_DropsStopWordsAndPossessives()
    {
        var terms = TextFeatures.ContentTerms("The ghost of Scrooge's partner was not there");

        Assert.Equal(new HashSet<string> { "ghost", "scrooge", "partner" }, terms);
    }

    [Fact]
    public void Numbers_NormalizesThousandsSeparators()
    {
        Assert.Contains("1000", TextFeatures.Numbers("about 1,000 people"));
        Assert.Contains("3.5", TextFeatures.Numbers("grew 3.5 percent."));
    }

    [Fact]
    public void HasNegation_DetectsNegationWords()
    {
        Assert.True(TextFeatures.HasNegation("It was never seen"));
        Assert.False(TextFeatures.HasNegation("It was seen"));
    }
}
