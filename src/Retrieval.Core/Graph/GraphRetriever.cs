using System.Diagnostics;
using Microsoft.Extensions.Options;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Core.Graph;

/// <summary>
/// Local graph retrieval (HippoRAG's idea): link the query to entities, take the entity–chunk graph restricted to chunks
/// the caller may read around them, run personalized PageRank seeded at the query entities (weighted by specificity,
/// 1 / readable chunks mentioning them) and rank chunks by the mass they receive. Each ranked chunk carries the entities
/// that brought it its mass, and for an entity that is not in the query, the query entity and chunk that led to it.
/// </summary>
public sealed class GraphRetriever
{
    private readonly IGraphStore _store;
    private readonly EntityNameEmbeddings _names;
    private readonly IOptionsMonitor<GraphOptions> _options;

    public GraphRetriever(IGraphStore store, EntityNameEmbeddings names, IOptionsMonitor<GraphOptions> options)
    {
        _store = store;
        _names = names;
        _options = options;
    }

    /// <summary>
    /// Ranks chunks for <paramref name="query"/>. <paramref name="passageSeeds"/> are other retrievers' best chunks (may be
    /// empty), <paramref name="queryEmbedding"/> the query's dense embedding (empty when not computed): with
    /// <see cref="GraphOptions.EmbeddingLinks"/> the entities of those chunks whose names are nearest the query are linked too.
    /// </summary>
    public async Task<GraphRetrieval> RetrieveAsync(
        AclFilter filter, string query, int topK, IReadOnlyList<ScoredChunk> passageSeeds, ReadOnlyMemory<float> queryEmbedding,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(passageSeeds);
        var options = _options.CurrentValue;
        var timings = new Dictionary<string, double>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();

        var spans = QueryLinker.Spans(query, options.NameLinking);
        var candidates = await _store.FindByKeysAsync(filter, spans.Select(s => s.Key).Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
        var chosen = QueryLinker.Select(spans, candidates.Select(c => c.MatchedKey).ToHashSet(StringComparer.Ordinal));
        var chosenKeys = chosen.Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var linked = candidates
            .Where(c => chosenKeys.Contains(c.MatchedKey) && IsSpecific(c.Entity, options))
            .GroupBy(c => c.Entity.Id, StringComparer.Ordinal)
            .Select(g => g.First())
            .OrderBy(c => c.Entity.Chunks)
            .ThenBy(c => c.Entity.Id, StringComparer.Ordinal)
            .Take(options.MaxSeedEntities)
            .ToList();
        timings["graphLinkMs"] = watch.Elapsed.TotalMilliseconds;

        var passages = options.PassageSeedShare > 0 || options.EmbeddingLinks > 0 ? passageSeeds.Take(options.PassageSeeds).ToList() : [];
        var linkByEmbedding = options.EmbeddingLinks > 0 && passages.Count > 0 && !queryEmbedding.IsEmpty;

        // Query-adaptive: a query that names no (specific) entity gets no graph list, so single-hop queries without a
        // named entity are ranked by the other retrievers alone.
        if (linked.Count == 0 && !linkByEmbedding)
        {
            return new GraphRetrieval([], new Dictionary<string, GraphExplanation>(StringComparer.Ordinal), [], timings);
        }

        var expansion = new GraphExpansion(options.Hops, options.MaxChunksPerEntity, options.MaxChunks);
        var subgraph = await _store.GetSubgraphAsync(filter, linked.Select(l => l.Entity.Id).ToList(), passages.Select(p => p.ChunkId).ToList(), expansion, cancellationToken).ConfigureAwait(false);
        timings["graphSubgraphMs"] = watch.Elapsed.TotalMilliseconds - timings["graphLinkMs"];

        if (linkByEmbedding)
        {
            var linkWatch = Stopwatch.StartNew();
            linked.AddRange(await LinkByEmbeddingAsync(filter.Tenant, subgraph, linked, passages, queryEmbedding, options, cancellationToken).ConfigureAwait(false));
            timings["graphEmbeddingLinkMs"] = linkWatch.Elapsed.TotalMilliseconds;
        }

        if (linked.Count == 0)
        {
            return new GraphRetrieval([], new Dictionary<string, GraphExplanation>(StringComparer.Ordinal), [], timings);
        }

        var pprWatch = Stopwatch.StartNew();
        var share = options.PassageSeedShare;
        var ranked = Rank(subgraph, linked, share > 0 ? passages : [], share, options.Damping, topK, options.PassageSeedTemperature);
        timings["graphPprMs"] = pprWatch.Elapsed.TotalMilliseconds;
        return ranked with { Linked = linked, Timings = timings };
    }

    private static bool IsSpecific(GraphEntity entity, GraphOptions options) =>
        options.MaxSeedEntityChunks <= 0 || entity.Chunks <= options.MaxSeedEntityChunks;

    /// <summary>
    /// Entities of the passage-seed chunks (all in the caller's permitted subgraph) whose names are most similar to the
    /// query, above <see cref="GraphOptions.EmbeddingLinkThreshold"/>: the "nearest entity-name embeddings" of the linker.
    /// </summary>
    private async Task<List<LinkedEntity>> LinkByEmbeddingAsync(
        string tenant, EntityChunkGraph subgraph, List<LinkedEntity> linked, List<ScoredChunk> passages, ReadOnlyMemory<float> queryEmbedding,
        GraphOptions options, CancellationToken cancellationToken)
    {
        var passageIds = passages.Select(p => p.ChunkId).ToHashSet(StringComparer.Ordinal);
        var already = linked.Select(l => l.Entity.Id).ToHashSet(StringComparer.Ordinal);
        var candidates = subgraph.Edges
            .Where(e => passageIds.Contains(subgraph.ChunkIds[e.Chunk]))
            .Select(e => subgraph.Entities[e.Entity])
            .Where(e => !already.Contains(e.Id) && IsSpecific(e, options))
            .DistinctBy(e => e.Id, StringComparer.Ordinal)
            .ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        var similarities = await _names.SimilaritiesAsync(tenant, queryEmbedding, candidates.Select(c => c.Name).ToList(), cancellationToken).ConfigureAwait(false);
        return candidates
            .Select((entity, i) => (Entity: entity, Similarity: similarities[i]))
            .Where(c => c.Similarity >= options.EmbeddingLinkThreshold)
            .OrderByDescending(c => c.Similarity)
            .ThenBy(c => c.Entity.Id, StringComparer.Ordinal)
            .Take(options.EmbeddingLinks)
            .Select(c => new LinkedEntity(c.Entity, c.Entity.Name) { Similarity = Math.Round(c.Similarity, 4) })
            .ToList();
    }

    /// <summary>PPR over the subgraph: entity nodes 0..E−1, chunk nodes E..E+C−1.</summary>
    internal static GraphRetrieval Rank(
        EntityChunkGraph subgraph, IReadOnlyList<LinkedEntity> linked, IReadOnlyList<ScoredChunk> passages, double passageShare, double damping, int topK,
        double passageTemperature = 0)
    {
        var entityCount = subgraph.Entities.Count;
        var nodeCount = entityCount + subgraph.ChunkIds.Count;
        var entityIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < entityCount; i++)
        {
            entityIndex[subgraph.Entities[i].Id] = i;
        }

        var chunkIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < subgraph.ChunkIds.Count; i++)
        {
            chunkIndex[subgraph.ChunkIds[i]] = entityCount + i;
        }

        // Restart mass: query entities by specificity (1 / chunks mentioning them; an entity linked by embedding also by its
        // similarity), passage seeds by reciprocal rank or by a softmax of their scores.
        var personalization = new Dictionary<int, double>();
        var seeds = new HashSet<int>();
        var entityWeights = linked
            .Where(l => entityIndex.ContainsKey(l.Entity.Id))
            .Select(l => (Node: entityIndex[l.Entity.Id], Weight: Math.Max(0.01, l.Similarity ?? 1.0) / Math.Max(1, l.Entity.Chunks)))
            .ToList();
        var entityTotal = entityWeights.Sum(e => e.Weight);
        foreach (var (node, weight) in entityWeights)
        {
            personalization[node] = (1 - passageShare) * weight / entityTotal;
            seeds.Add(node);
        }

        var topScore = passages.Count > 0 ? passages.Max(p => p.Score) : 0;
        var passageWeights = passages
            .Select((p, rank) => (
                Found: chunkIndex.TryGetValue(p.ChunkId, out var node),
                Node: node,
                Weight: passageTemperature > 0 ? Math.Exp((p.Score - topScore) / passageTemperature) : 1.0 / (rank + 1)))
            .Where(p => p.Found)
            .ToList();
        var passageTotal = passageWeights.Sum(p => p.Weight);
        foreach (var (_, node, weight) in passageWeights)
        {
            personalization[node] = personalization.GetValueOrDefault(node) + (entityTotal > 0 ? passageShare : 1.0) * weight / passageTotal;
        }

        var edges = subgraph.Edges.Select(e => (e.Entity, entityCount + e.Chunk, 1 + Math.Log(Math.Max(1, e.Count)))).ToList();
        var rank = PersonalizedPageRank.Compute(nodeCount, edges, personalization, damping);

        var chunkEntities = new Dictionary<int, List<int>>();
        var entityChunks = new Dictionary<int, List<int>>();
        foreach (var edge in subgraph.Edges)
        {
            Add(chunkEntities, edge.Chunk, edge.Entity);
            Add(entityChunks, edge.Entity, edge.Chunk);
        }

        var top = Enumerable.Range(0, subgraph.ChunkIds.Count)
            .Where(c => rank[entityCount + c] > 1e-12)
            .OrderByDescending(c => rank[entityCount + c])
            .ThenBy(c => subgraph.ChunkIds[c], StringComparer.Ordinal)
            .Take(topK)
            .ToList();

        var results = new List<ScoredChunk>(top.Count);
        var explanations = new Dictionary<string, GraphExplanation>(StringComparer.Ordinal);
        foreach (var c in top)
        {
            var chunkId = subgraph.ChunkIds[c];
            results.Add(new ScoredChunk(chunkId, rank[entityCount + c]));
            var via = chunkEntities.GetValueOrDefault(c, [])
                .OrderByDescending(e => seeds.Contains(e)).ThenByDescending(e => rank[e] / Math.Max(1, entityChunks[e].Count))
                .Take(3)
                .Select(e => new GraphPathStep(
                    subgraph.Entities[e].Id,
                    subgraph.Entities[e].Name,
                    seeds.Contains(e),
                    seeds.Contains(e) ? null : Bridge(e, c)))
                .ToList();
            explanations[chunkId] = new GraphExplanation(via);
        }

        return new GraphRetrieval(results, explanations, linked, new Dictionary<string, double>(StringComparer.Ordinal));

        // The chunk (other than this one) with the most mass that mentions both this entity and a query entity.
        GraphBridge? Bridge(int entity, int chunk)
        {
            GraphBridge? best = null;
            var bestMass = -1.0;
            foreach (var other in entityChunks[entity])
            {
                if (other == chunk || rank[entityCount + other] <= bestMass)
                {
                    continue;
                }

                var seed = chunkEntities[other].Where(seeds.Contains).OrderByDescending(s => rank[s]).Select(s => (int?)s).FirstOrDefault();
                if (seed is { } s)
                {
                    bestMass = rank[entityCount + other];
                    best = new GraphBridge(subgraph.Entities[s].Id, subgraph.Entities[s].Name, subgraph.ChunkIds[other]);
                }
            }

            return best;
        }

        static void Add(Dictionary<int, List<int>> index, int key, int value)
        {
            if (!index.TryGetValue(key, out var list))
            {
                list = [];
                index.Add(key, list);
            }

            list.Add(value);
        }
    }
}

/// <summary>The graph retriever's ranking, the query entities it linked and why each chunk is there.</summary>
public sealed record GraphRetrieval(
    IReadOnlyList<ScoredChunk> Chunks,
    IReadOnlyDictionary<string, GraphExplanation> Explanations,
    IReadOnlyList<LinkedEntity> Linked,
    IReadOnlyDictionary<string, double> Timings);

/// <summary>
/// Why the graph ranked a chunk: the entities in it that carried the most PageRank mass to it; or, for a chunk lifted by
/// topic bridging, the entity it is about and the top passage (<see cref="FromPassage"/>) that mentions that entity.
/// </summary>
public sealed record GraphExplanation(IReadOnlyList<GraphPathStep> Entities)
{
    /// <summary>Topic bridging only: the readable top-ranked chunk that mentions the entity this chunk's document is about.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? FromPassage { get; init; }
}

/// <summary>
/// An entity of the chunk. <see cref="FromQuery"/>: the query names it. Otherwise <see cref="Bridge"/> says how the walk
/// reached it: a query entity and a chunk that mentions both.
/// </summary>
public sealed record GraphPathStep(string EntityId, string Name, bool FromQuery, GraphBridge? Bridge);

/// <summary>Query entity <see cref="QueryEntityName"/> and the entity of a <see cref="GraphPathStep"/> co-occur in chunk <see cref="ChunkId"/>.</summary>
public sealed record GraphBridge(string QueryEntityId, string QueryEntityName, string ChunkId);
