using Retrieval.Core.Query;
using Retrieval.Core.Storage;

namespace Retrieval.Core.Tests.Query;

public sealed class ReciprocalRankFusionTests
{
    [Fact]
    public void Fuse_TwoLists_ScoresAreSumOfWeightedReciprocalRanks()
    {
        var dense = new RankedList("dense", 1.0, [new ScoredChunk("a", 0.9), new ScoredChunk("b", 0.8)]);
        var lexical = new RankedList("lexical", 1.0, [new ScoredChunk("b", 12.0), new ScoredChunk("c", 7.0)]);

        var fused = ReciprocalRankFusion.Fuse([dense, lexical], k: 60, topK: 10);

        Assert.Equal(["b", "a", "c"], fused.Select(f => f.ChunkId));
        Assert.Equal((1.0 / 62) + (1.0 / 61), fused[0].Score, 12);
        Assert.Equal(1.0 / 61, fused[1].Score, 12);
        Assert.Equal(new RetrieverScore(0.8, 2), fused[0].Scores["dense"]);
        Assert.Equal(new RetrieverScore(12.0, 1), fused[0].Scores["lexical"]);
        Assert.False(fused[1].Scores.ContainsKey("lexical"));
    }

    [Fact]
    public void Fuse_Weights_ChangeTheWinner()
    {
        var dense = new RankedList("dense", 0.2, [new ScoredChunk("a", 0.9)]);
        var lexical = new RankedList("lexical", 2.0, [new ScoredChunk("b", 5.0)]);

        var fused = ReciprocalRankFusion.Fuse([dense, lexical], k: 60, topK: 10);

        Assert.Equal("b", fused[0].ChunkId);
    }

    [Fact]
    public void Fuse_TopK_TruncatesAndTiesAreDeterministic()
    {
        var dense = new RankedList("dense", 1.0, [new ScoredChunk("x", 1), new ScoredChunk("y", 1)]);
        var lexical = new RankedList("lexical", 1.0, [new ScoredChunk("y", 1), new ScoredChunk("x", 1)]);

        var first = ReciprocalRankFusion.Fuse([dense, lexical], 60, 1);
        var second = ReciprocalRankFusion.Fuse([lexical, dense], 60, 1);

        Assert.Single(first);
        Assert.Equal(first[0].ChunkId, second[0].ChunkId);
    }

    [Fact]
    public void Fuse_DuplicateInOneList_CountsOnceAtBestRank()
    {
        var dense = new RankedList("dense", 1.0, [new ScoredChunk("a", 0.9), new ScoredChunk("a", 0.5)]);

        var fused = ReciprocalRankFusion.Fuse([dense], 60, 10);

        Assert.Single(fused);
        Assert.Equal(1.0 / 61, fused[0].Score, 12);
    }

    [Theory]
    [InlineData(null, RetrievalMode.Hybrid)]
    [InlineData("hybrid", RetrievalMode.Hybrid)]
    [InlineData("DENSE", RetrievalMode.Dense)]
    [InlineData("lexical", RetrievalMode.Lexical)]
    [InlineData("bm25", RetrievalMode.Lexical)]
    public void ParseMode_KnownNames_Parse(string? value, RetrievalMode expected) =>
        Assert.Equal(expected, RetrievalModes.Parse(value));

    [Fact]
    public void ParseMode_Unknown_ThrowsValidation() =>
        Assert.Throws<ValidationException>(() => RetrievalModes.Parse("graphs"));
}
