using Retrieval.Core.Query;

namespace Retrieval.Core.Tests.Graph;

public sealed class RetrievalModeTests
{
    [Theory]
    [InlineData("graph", RetrievalMode.Graph)]
    [InlineData("dense+lexical", RetrievalMode.Dense | RetrievalMode.Lexical)]
    [InlineData("lexical + graph", RetrievalMode.Lexical | RetrievalMode.Graph)]
    [InlineData("bm25+dense", RetrievalMode.Dense | RetrievalMode.Lexical)]
    [InlineData("dense+lexical+graph", RetrievalMode.Hybrid)]
    [InlineData("HYBRID", RetrievalMode.Hybrid)]
    public void Parse_CombinationsWithPlus_Parse(string value, RetrievalMode expected) =>
        Assert.Equal(expected, RetrievalModes.Parse(value));

    [Theory]
    [InlineData("dense+graphs")]
    [InlineData("dense+")]
    [InlineData("+")]
    [InlineData("hybrid+graph")]
    public void Parse_BadCombination_ThrowsValidation(string value) =>
        Assert.Throws<ValidationException>(() => RetrievalModes.Parse(value));

    [Theory]
    [InlineData(RetrievalMode.Hybrid, "hybrid")]
    [InlineData(RetrievalMode.Graph, "graph")]
    [InlineData(RetrievalMode.Lexical | RetrievalMode.Dense, "dense+lexical")]
    [InlineData(RetrievalMode.Graph | RetrievalMode.Lexical, "lexical+graph")]
    public void Name_RoundTripsThroughParse(RetrievalMode mode, string name)
    {
        Assert.Equal(name, mode.Name());
        Assert.Equal(mode, RetrievalModes.Parse(name));
    }
}
