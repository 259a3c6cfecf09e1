using Retrieval.Core.Graph;

namespace Retrieval.Core.Tests.Graph;

public sealed class EntityNamesTests
{
    [Theory]
    [InlineData("The Journal of Mathematical Physics", "journal of mathematical physics")]
    [InlineData("journal of  mathematical-physics", "journal of mathematical physics")]
    [InlineData("Mr. Scrooge's", "scrooge")]
    [InlineData("Scrooge’s", "scrooge")]
    [InlineData("U.S.", "us")]
    [InlineData("Universität Göttingen", "universitat gottingen")]
    [InlineData("AT&T", "at and t")]
    [InlineData("A Christmas Carol", "christmas carol")]
    [InlineData("Sir Isaac Newton", "isaac newton")]
    public void Normalize_Variants_ShareOneKey(string name, string expected) =>
        Assert.Equal(expected, EntityNames.Normalize(name));

    [Theory]
    [InlineData("the")]
    [InlineData("1960")]
    [InlineData("x")]
    [InlineData("")]
    public void IsTrivial_FunctionWordsNumbersAndLetters_AreTrivial(string key) => Assert.True(EntityNames.IsTrivial(key));

    [Fact]
    public void IsTrivial_Name_IsNotTrivial() => Assert.False(EntityNames.IsTrivial("scrooge"));
}
