using Retrieval.Core.Graph;

namespace Retrieval.Core.Tests.Graph;

public sealed class PersonalizedPageRankTests
{
    [Fact]
    public void Compute_PathOfThree_MatchesHandComputedStationaryVector()
    {
        // Path 0 — 1 — 2, restart at 0, d = 0.5:
        // p0 = 0.5 + 0.5·p1/2, p1 = 0.5·(p0 + p2), p2 = 0.5·p1/2  ⇒  p0 = 7/12, p1 = 1/3, p2 = 1/12.
        var rank = PersonalizedPageRank.Compute(3, [(0, 1, 1.0), (1, 2, 1.0)], new Dictionary<int, double> { [0] = 1 }, 0.5);

        Assert.Equal(7.0 / 12, rank[0], 9);
        Assert.Equal(1.0 / 3, rank[1], 9);
        Assert.Equal(1.0 / 12, rank[2], 9);
    }

    [Fact]
    public void Compute_WeightedEdges_SplitMassByWeight()
    {
        // Star: 0 connected to 1 (weight 3) and 2 (weight 1); restart at 0.
        var rank = PersonalizedPageRank.Compute(3, [(0, 1, 3.0), (0, 2, 1.0)], new Dictionary<int, double> { [0] = 1 }, 0.5);

        Assert.Equal(3.0, rank[1] / rank[2], 9);
        Assert.Equal(1.0, rank.Sum(), 9);
    }

    [Fact]
    public void Compute_DanglingNodeAndDisconnectedNode_MassRestartsAndNothingLeaks()
    {
        var rank = PersonalizedPageRank.Compute(4, [(0, 1, 1.0)], new Dictionary<int, double> { [2] = 1 }, 0.5);

        Assert.Equal(1.0, rank[2], 9);
        Assert.Equal(0.0, rank[0]);
        Assert.Equal(0.0, rank[3]);
    }

    [Fact]
    public void Compute_NoPersonalization_IsAllZero() =>
        Assert.All(PersonalizedPageRank.Compute(2, [(0, 1, 1.0)], new Dictionary<int, double>(), 0.5), v => Assert.Equal(0.0, v));
}
