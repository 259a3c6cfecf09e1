using Retrieval.Core.Graph;

namespace Retrieval.Core.Tests.Graph;

public sealed class TopicBridgeTests
{
    [Theory]
    [InlineData("Betrayed (1917 film)", "betrayed")]
    [InlineData("Portland (community), Dodge County, Wisconsin", "portland community dodge county wisconsin")]
    [InlineData("American Psychological Association", "american psychological association")]
    [InlineData("The Beatles", "beatles")]
    public void TopicKey_Title_NormalizedLikeEntityNamesWithoutTrailingQualifier(string title, string expected)
    {
        Assert.Equal(expected, TopicBridge.TopicKey(title));
    }

    [Fact]
    public void TopicKey_TitleOfEntityName_EqualsEntityKey()
    {
        Assert.Equal(EntityNames.Normalize("Somalia's"), TopicBridge.TopicKey("Somalia"));
    }
}
