using Retrieval.Core.Answering;

namespace Retrieval.Core.Tests.Answering;

public sealed class TextFeaturesTests
{
    [Theory]
    [InlineData("vaccines", "vaccine")]
    [InlineData("running", "run")]
    [InlineData("runs", "run")]
    [InlineData("studies", "study")]
    [InlineData("trained", "train")]
    [InlineData("things", "thing")]
    [InlineData("strings", "string")]
    [InlineData("boxes", "box")]
    [InlineData("classes", "class")]
    [InlineData("developed", "develop")]
    public void Stem_Inflections_MeetTheirBaseForm(string inflected, string baseForm) =>
        Assert.Equal(TextFeatures.Stem(baseForm), TextFeatures.Stem(inflected));

    [Theory]
    [InlineData("bus", "bu")]
    [InlineData("status", "statu")]
    [InlineData("1796", "1795")]
    [InlineData("vaccine", "vacation")]
    public void Stem_DifferentWords_StayApart(string a, string b) =>
        Assert.NotEqual(TextFeatures.Stem(a), TextFeatures.Stem(b));

    [Fact]
    public void ContentTerms_DropsStopWordsAndPossessives()
    {
        var terms = TextFeatures.ContentTerms("The ghost of Scrooge's partner was not there");

        Assert.Equal(new HashSet<string> { TextFeatures.Stem("ghost"), TextFeatures.Stem("scrooge"), TextFeatures.Stem("partner") }, terms);
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
