namespace Retrieval.Core.Graph;

/// <summary>
/// Community detection by modularity (Blondel et al. 2008, "Fast unfolding of communities in large networks"): nodes
/// move greedily to the neighbouring community with the best modularity gain until none moves, then every community
/// becomes one node and the process repeats on the smaller graph. Deterministic by construction: nodes are visited in
/// index order and ties keep the current community or, among others, the first one met, so the same graph always
/// gives the same partition (no random seed). Afterwards every community is split into its connected components,
/// which gives Leiden's guarantee that no community is internally disconnected.
/// </summary>
public static class Louvain
{
    private const double Epsilon = 1e-12;

    /// <summary>
    /// The community of each node, numbered 0.. in order of each community's lowest node index.
    /// </summary>
    /// <param name="nodeCount">Nodes are 0..nodeCount−1.</param>
    /// <param name="edges">Undirected weighted edges; weights ≤ 0 and self loops are ignored, parallel edges add up.</param>
    /// <param name="resolution">γ of generalized modularity: above 1 gives more, smaller communities.</param>
    public static int[] Detect(int nodeCount, IReadOnlyList<(int A, int B, double Weight)> edges, double resolution = 1.0, int maxLevels = 32)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentOutOfRangeException.ThrowIfNegative(nodeCount);
        if (resolution <= 0 || double.IsNaN(resolution))
        {
            throw new ArgumentOutOfRangeException(nameof(resolution), "The resolution must be positive.");
        }

        var graph = Level.From(nodeCount, edges);
        var membership = new int[nodeCount];
        for (var i = 0; i < nodeCount; i++)
        {
            membership[i] = i;
        }

        for (var level = 0; level < maxLevels && graph.NodeCount > 1; level++)
        {
            var communities = graph.MoveNodes(resolution, out var moved);
            if (!moved)
            {
                break;
            }

            var renumbered = Renumber(communities, out var count);
            for (var i = 0; i < nodeCount; i++)
            {
                membership[i] = renumbered[membership[i]];
            }

            if (count == graph.NodeCount)
            {
                break;
            }

            graph = graph.Aggregate(renumbered, count);
        }

        return SplitDisconnected(nodeCount, edges, membership);
    }

    /// <summary>Newman–Girvan modularity of a partition (with resolution γ): Σ_c [ in_c / 2m − γ (tot_c / 2m)² ].</summary>
    public static double Modularity(int nodeCount, IReadOnlyList<(int A, int B, double Weight)> edges, IReadOnlyList<int> membership, double resolution = 1.0)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentNullException.ThrowIfNull(membership);
        var inside = new Dictionary<int, double>();
        var total = new Dictionary<int, double>();
        var twiceM = 0.0;
        foreach (var (a, b, w) in edges)
        {
            if (a == b || w <= 0 || a < 0 || b < 0 || a >= nodeCount || b >= nodeCount)
            {
                continue;
            }

            twiceM += 2 * w;
            total[membership[a]] = total.GetValueOrDefault(membership[a]) + w;
            total[membership[b]] = total.GetValueOrDefault(membership[b]) + w;
            if (membership[a] == membership[b])
            {
                inside[membership[a]] = inside.GetValueOrDefault(membership[a]) + (2 * w);
            }
        }

        if (twiceM == 0)
        {
            return 0;
        }

        return total.Keys.Sum(c => (inside.GetValueOrDefault(c) / twiceM) - (resolution * Math.Pow(total[c] / twiceM, 2)));
    }

    private static int[] Renumber(int[] communities, out int count)
    {
        var map = new Dictionary<int, int>();
        var result = new int[communities.Length];
        for (var i = 0; i < communities.Length; i++)
        {
            if (!map.TryGetValue(communities[i], out var id))
            {
                id = map.Count;
                map.Add(communities[i], id);
            }

            result[i] = id;
        }

        count = map.Count;
        return result;
    }

    /// <summary>Splits each community into connected components (over the original edges) and renumbers by lowest node.</summary>
    private static int[] SplitDisconnected(int nodeCount, IReadOnlyList<(int A, int B, double Weight)> edges, int[] membership)
    {
        var parent = new int[nodeCount];
        for (var i = 0; i < nodeCount; i++)
        {
            parent[i] = i;
        }

        foreach (var (a, b, w) in edges)
        {
            if (a != b && w > 0 && (uint)a < (uint)nodeCount && (uint)b < (uint)nodeCount && membership[a] == membership[b])
            {
                var ra = Find(parent, a);
                var rb = Find(parent, b);
                if (ra != rb)
                {
                    parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
                }
            }
        }

        var roots = new int[nodeCount];
        for (var i = 0; i < nodeCount; i++)
        {
            roots[i] = Find(parent, i);
        }

        return Renumber(roots, out _);
    }

    private static int Find(int[] parent, int x)
    {
        while (parent[x] != x)
        {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }

        return x;
    }

    /// <summary>One level of the hierarchy: a weighted graph in adjacency form, with self loops kept apart.</summary>
    private sealed class Level
    {
        private readonly List<(int Node, double Weight)>[] _adjacency;
        private readonly double[] _selfLoops;
        private readonly double[] _degrees;
        private readonly double _twiceM;

        private Level(List<(int Node, double Weight)>[] adjacency, double[] selfLoops)
        {
            _adjacency = adjacency;
            _selfLoops = selfLoops;
            _degrees = new double[adjacency.Length];
            for (var i = 0; i < adjacency.Length; i++)
            {
                _degrees[i] = adjacency[i].Sum(e => e.Weight) + (2 * selfLoops[i]);
                _twiceM += _degrees[i];
            }
        }

        public int NodeCount => _adjacency.Length;

        public static Level From(int nodeCount, IReadOnlyList<(int A, int B, double Weight)> edges)
        {
            var merged = new Dictionary<(int, int), double>();
            foreach (var (a, b, w) in edges)
            {
                if (a == b || w <= 0 || double.IsNaN(w))
                {
                    continue;
                }

                if ((uint)a >= (uint)nodeCount || (uint)b >= (uint)nodeCount)
                {
                    throw new ArgumentOutOfRangeException(nameof(edges), $"Edge ({a}, {b}) names a node outside 0..{nodeCount - 1}.");
                }

                var key = (Math.Min(a, b), Math.Max(a, b));
                merged[key] = merged.GetValueOrDefault(key) + w;
            }

            return Build(nodeCount, merged, new double[nodeCount]);
        }

        private static Level Build(int nodeCount, Dictionary<(int, int), double> merged, double[] selfLoops)
        {
            var adjacency = new List<(int Node, double Weight)>[nodeCount];
            for (var i = 0; i < nodeCount; i++)
            {
                adjacency[i] = [];
            }

            foreach (var ((a, b), w) in merged)
            {
                adjacency[a].Add((b, w));
                adjacency[b].Add((a, w));
            }

            foreach (var list in adjacency)
            {
                list.Sort((x, y) => x.Node.CompareTo(y.Node)); // fixed visiting order, independent of dictionary order
            }

            return new Level(adjacency, selfLoops);
        }

        /// <summary>Greedy local moving until no node improves modularity; returns each node's community.</summary>
        public int[] MoveNodes(double resolution, out bool movedAny)
        {
            var n = NodeCount;
            var community = new int[n];
            var total = new double[n];
            for (var i = 0; i < n; i++)
            {
                community[i] = i;
                total[i] = _degrees[i];
            }

            movedAny = false;
            if (_twiceM <= 0)
            {
                return community;
            }

            var weightTo = new double[n];
            var touched = new List<int>();
            for (var pass = 0; pass < 1000; pass++)
            {
                var moved = false;
                for (var i = 0; i < n; i++)
                {
                    var current = community[i];
                    var degree = _degrees[i];
                    touched.Clear();
                    foreach (var (neighbor, w) in _adjacency[i])
                    {
                        var c = community[neighbor];
                        if (weightTo[c] == 0)
                        {
                            touched.Add(c);
                        }

                        weightTo[c] += w;
                    }

                    total[current] -= degree;
                    var best = current;
                    var bestGain = weightTo[current] - (resolution * total[current] * degree / _twiceM);
                    foreach (var c in touched)
                    {
                        var gain = weightTo[c] - (resolution * total[c] * degree / _twiceM);
                        if (gain > bestGain + Epsilon)
                        {
                            best = c;
                            bestGain = gain;
                        }
                    }

                    total[best] += degree;
                    community[i] = best;
                    if (best != current)
                    {
                        moved = true;
                        movedAny = true;
                    }

                    foreach (var c in touched)
                    {
                        weightTo[c] = 0;
                    }
                }

                if (!moved)
                {
                    break;
                }
            }

            return community;
        }

        /// <summary>The graph whose nodes are the communities: edges between them summed, edges inside them self loops.</summary>
        public Level Aggregate(int[] community, int count)
        {
            var merged = new Dictionary<(int, int), double>();
            var selfLoops = new double[count];
            for (var i = 0; i < NodeCount; i++)
            {
                var ci = community[i];
                selfLoops[ci] += _selfLoops[i];
                foreach (var (j, w) in _adjacency[i])
                {
                    if (j < i)
                    {
                        continue; // each undirected edge once
                    }

                    var cj = community[j];
                    if (ci == cj)
                    {
                        selfLoops[ci] += w;
                    }
                    else
                    {
                        var key = (Math.Min(ci, cj), Math.Max(ci, cj));
                        merged[key] = merged.GetValueOrDefault(key) + w;
                    }
                }
            }

            return Build(count, merged, selfLoops);
        }
    }
}
