namespace Retrieval.Core.Graph;

/// <summary>
/// Personalized PageRank by power iteration on a weighted undirected graph: p = (1 − d)·s + d·Pᵀp, where P moves from a
/// node to a neighbour in proportion to the edge weight and s is the (normalized) personalization. Mass at a node without
/// edges restarts at s. HippoRAG ranks passages by this mass with d = 0.5.
/// </summary>
public static class PersonalizedPageRank
{
    public static double[] Compute(
        int nodeCount,
        IReadOnlyList<(int A, int B, double Weight)> edges,
        IReadOnlyDictionary<int, double> personalization,
        double damping,
        int maxIterations = 100,
        double tolerance = 1e-10)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentNullException.ThrowIfNull(personalization);
        ArgumentOutOfRangeException.ThrowIfNegative(nodeCount);
        if (damping is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(damping), "Damping must be in [0, 1).");
        }

        var restart = new double[nodeCount];
        var total = personalization.Values.Where(v => v > 0).Sum();
        if (nodeCount == 0 || total <= 0)
        {
            return restart;
        }

        foreach (var (node, weight) in personalization)
        {
            if (weight > 0)
            {
                restart[node] += weight / total;
            }
        }

        // Compressed adjacency (both directions) with transition probabilities.
        var degree = new double[nodeCount];
        var counts = new int[nodeCount + 1];
        foreach (var (a, b, w) in edges)
        {
            if (w <= 0 || a == b)
            {
                continue;
            }

            degree[a] += w;
            degree[b] += w;
            counts[a + 1]++;
            counts[b + 1]++;
        }

        for (var i = 0; i < nodeCount; i++)
        {
            counts[i + 1] += counts[i];
        }

        var targets = new int[counts[nodeCount]];
        var probabilities = new double[counts[nodeCount]];
        var fill = (int[])counts.Clone();
        foreach (var (a, b, w) in edges)
        {
            if (w <= 0 || a == b)
            {
                continue;
            }

            targets[fill[a]] = b;
            probabilities[fill[a]++] = w / degree[a];
            targets[fill[b]] = a;
            probabilities[fill[b]++] = w / degree[b];
        }

        var rank = (double[])restart.Clone();
        var next = new double[nodeCount];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            var dangling = 0.0;
            Array.Clear(next);
            for (var u = 0; u < nodeCount; u++)
            {
                if (counts[u] == counts[u + 1])
                {
                    dangling += rank[u];
                    continue;
                }

                var mass = damping * rank[u];
                for (var e = counts[u]; e < counts[u + 1]; e++)
                {
                    next[targets[e]] += mass * probabilities[e];
                }
            }

            var delta = 0.0;
            for (var v = 0; v < nodeCount; v++)
            {
                next[v] += ((1 - damping) + (damping * dangling)) * restart[v];
                delta += Math.Abs(next[v] - rank[v]);
            }

            (rank, next) = (next, rank);
            if (delta < tolerance)
            {
                break;
            }
        }

        return rank;
    }
}
