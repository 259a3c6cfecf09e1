using Retrieval.Core.Query;
using Retrieval.Core.Storage;

namespace Retrieval.Core.Tests.Query;

public sealed class GraphAgreementGateTests
{
    private static List<ScoredChunk> List(params string[] ids) => [.. ids.Select((id, i) => new ScoredChunk(id, 1.0 / (i + 1)))];

    [Fact]
    public void Agrees_SharedChunkWithinTop_True()
    {
        Assert.True(HybridSearcher.Agrees(List("g1", "g2", "d3"), List("d1", "d2", "d3"), top: 3));
    }

    [Fact]
    public void Agrees_SharedChunkOnlyBelowTop_False()
    {
        // d3 is third in both lists: with a top of 2 the graph leads somewhere the dense retriever does not.
        Assert.False(HybridSearcher.Agrees(List("g1", "g2", "d3"), List("d1", "d2", "d3"), top: 2));
    }

    [Fact]
    public void Agrees_NoReferenceList_True()
    {
        Assert.True(HybridSearcher.Agrees(List("g1"), [], top: 5));
    }
}
