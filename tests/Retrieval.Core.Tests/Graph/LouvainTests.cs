using Retrieval.Core.Graph;

namespace Retrieval.Core.Tests.Graph;

public sealed class LouvainTests
{
    /// <summary>Cliques of <paramref name="size"/> nodes (0..size−1, size..2·size−1, …), consecutive cliques joined by one edge in a ring.</summary>
    private static List<(int, int, double)> RingOfCliques(int cliques, int size)
    {
        var edges = new List<(int, int, double)>();
        for (var c = 0; c < cliques; c++)
        {
            var first = c * size;
            for (var i = 0; i < size; i++)
            {
                for (var j = i + 1; j < size; j++)
                {
                    edges.Add((first + i, first + j, 1.0));
                }
            }

            edges.Add((first, (((c + 1) % cliques) * size) + 1, 1.0));
        }

        return edges;
    }

    private static void AssertPartition(int[] membership, params int[][] groups)
    {
        foreach (var group in groups)
        {
            Assert.All(group, n => Assert.Equal(membership[group[0]], membership[n]));
        }

        Assert.Equal(groups.Length, membership.Distinct().Count());
    }

    [Fact]
    public void Detect_TwoCliquesJoinedByOneEdge_FindsTheTwoCliques()
    {
        var edges = RingOfCliques(2, 5).Take(10).Concat(RingOfCliques(2, 5).Skip(11).Take(10)).Append((0, 5, 1.0)).ToList();

        var membership = Louvain.Detect(10, edges);

        AssertPartition(membership, [0, 1, 2, 3, 4], [5, 6, 7, 8, 9]);
    }

    [Fact]
    public void Detect_RingOfSixCliques_FindsEachCliqueWithHighModularity()
    {
        var edges = RingOfCliques(6, 5);

        var membership = Louvain.Detect(30, edges);

        AssertPartition(membership, [.. Enumerable.Range(0, 6).Select(c => Enumerable.Range(c * 5, 5).ToArray())]);
        // 6 cliques of 10 edges + 6 ring edges: Q = 6·(20/132 − (22/132)²) ≈ 0.742.
        Assert.Equal(0.742, Louvain.Modularity(30, edges, membership), 3);
    }

    [Fact]
    public void Detect_WeightedEdges_StrongTiesWinOverMany()
    {
        // A heavy triangle 0-1-2 and a heavy triangle 3-4-5, with light edges across every pair.
        var edges = new List<(int, int, double)> { (0, 1, 10), (1, 2, 10), (0, 2, 10), (3, 4, 10), (4, 5, 10), (3, 5, 10) };
        for (var a = 0; a < 3; a++)
        {
            for (var b = 3; b < 6; b++)
            {
                edges.Add((a, b, 0.5));
            }
        }

        AssertPartition(Louvain.Detect(6, edges), [0, 1, 2], [3, 4, 5]);
    }

    [Fact]
    public void Detect_IsolatedNodesAndSeparateComponents_StayApart()
    {
        var edges = new List<(int, int, double)> { (1, 2, 1), (2, 3, 1), (1, 3, 1), (5, 6, 1), (6, 7, 1), (5, 7, 1) };

        var membership = Louvain.Detect(9, edges);

        AssertPartition(membership, [0], [1, 2, 3], [4], [5, 6, 7], [8]);
        Assert.Equal([0, 1, 1, 1, 2, 3, 3, 3, 4], membership); // numbered by lowest node
    }

    [Fact]
    public void Detect_EmptyGraph_ReturnsNothingOrSingletons()
    {
        Assert.Empty(Louvain.Detect(0, []));
        Assert.Equal([0, 1, 2], Louvain.Detect(3, []));
    }

    [Fact]
    public void Detect_EdgesInAnyOrder_GivesTheSamePartition()
    {
        var edges = RingOfCliques(8, 4).Select(e => (e.Item1, e.Item2, e.Item3 + ((e.Item1 * 7 % 5) * 0.1))).ToList();
        var expected = Louvain.Detect(32, edges);

        for (var seed = 1; seed <= 5; seed++)
        {
            var random = new Random(seed);
            var shuffled = edges.OrderBy(_ => random.Next()).Select(e => random.Next(2) == 0 ? e : (e.Item2, e.Item1, e.Item3)).ToList();
            Assert.Equal(expected, Louvain.Detect(32, shuffled));
        }
    }

    [Fact]
    public void Detect_HigherResolution_GivesAtLeastAsManyCommunities()
    {
        var edges = RingOfCliques(12, 3);

        var coarse = Louvain.Detect(36, edges, resolution: 0.3).Distinct().Count();
        var fine = Louvain.Detect(36, edges, resolution: 1.0).Distinct().Count();

        Assert.True(coarse < fine, $"resolution 0.3 gave {coarse} communities, 1.0 gave {fine}");
    }

    [Fact]
    public void Detect_ResultIsNeverInternallyDisconnected()
    {
        var random = new Random(42);
        var edges = new List<(int, int, double)>();
        for (var i = 0; i < 300; i++)
        {
            edges.Add((random.Next(60), random.Next(60), 1 + random.Next(3)));
        }

        var membership = Louvain.Detect(60, edges);

        foreach (var community in membership.Distinct())
        {
            var nodes = Enumerable.Range(0, 60).Where(n => membership[n] == community).ToHashSet();
            var reached = new HashSet<int> { nodes.First() };
            var frontier = new Queue<int>(reached);
            while (frontier.TryDequeue(out var node))
            {
                foreach (var (a, b, _) in edges.Where(e => e.Item1 == node || e.Item2 == node))
                {
                    var other = a == node ? b : a;
                    if (nodes.Contains(other) && reached.Add(other))
                    {
                        frontier.Enqueue(other);
                    }
                }
            }

            Assert.Equal(nodes.Count, reached.Count);
        }

        Assert.True(Louvain.Modularity(60, edges, membership) > Louvain.Modularity(60, edges, [.. Enumerable.Range(0, 60)]));
    }

    [Fact]
    public void Detect_EdgeOutsideTheNodes_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Louvain.Detect(2, [(0, 2, 1.0)]));
    }
}
