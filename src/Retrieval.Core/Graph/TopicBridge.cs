using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Core.Graph;

/// <summary>
/// Multi-hop expansion by topic (<see cref="GraphOptions.BridgeWeight"/>): the entities a top-ranked passage mentions and
/// the query does not are the candidate bridges of a multi-hop question; a readable chunk of a document titled after such an
/// entity (the article <em>about</em> it) is the likely next hop. Everything is read through the caller's filter: the
/// passages' entities and the chunks mentioning them from the permitted subgraph, titles from readable chunks only.
/// </summary>
public sealed class TopicBridge
{
    private readonly IGraphStore _store;
    private readonly IDocumentStore _documents;

    public TopicBridge(IGraphStore store, IDocumentStore documents)
    {
        _store = store;
        _documents = documents;
    }

    /// <summary>
    /// Bridge targets for the top passages <paramref name="passageIds"/> (best first, readable by the caller): for each
    /// passage, the chunks of documents titled after one of its entities that the query does not name. A passage's own
    /// topic is not followed, nor an entity that more than <see cref="GraphOptions.BridgeMaxTargets"/> documents are titled
    /// after; one chunk per document (the one mentioning the entity most).
    /// </summary>
    public async Task<IReadOnlyList<BridgeTarget>> FindAsync(
        AclFilter filter, string query, IReadOnlyList<string> passageIds, GraphOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(passageIds);
        ArgumentNullException.ThrowIfNull(options);
        if (passageIds.Count == 0 || !_store.StoresGraph)
        {
            return [];
        }

        // Two steps from the seed chunks: their entities, then the chunks mentioning those entities.
        var subgraph = await _store.GetSubgraphAsync(
            filter, [], passageIds, new GraphExpansion(2, options.MaxChunksPerEntity, options.MaxChunks), cancellationToken).ConfigureAwait(false);
        if (subgraph.Edges.Count == 0)
        {
            return [];
        }

        var stored = await _documents.GetChunksAsync(filter, subgraph.ChunkIds, cancellationToken).ConfigureAwait(false);
        var chunkIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < subgraph.ChunkIds.Count; i++)
        {
            chunkIndex[subgraph.ChunkIds[i]] = i;
        }

        // Topic key per readable chunk: its document's title, normalized like entity names, without a trailing
        // "(qualifier)" ("Betrayed (1917 film)" is about "Betrayed").
        var topics = new Dictionary<int, (string Key, string DocumentId)>();
        foreach (var chunk in stored)
        {
            if (chunkIndex.TryGetValue(chunk.Chunk.Id, out var index))
            {
                topics[index] = (TopicKey(chunk.Title), chunk.Chunk.DocumentId);
            }
        }

        var queryKeys = QueryLinker.Spans(query).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var passageRank = new Dictionary<int, int>();
        for (var rank = 0; rank < passageIds.Count; rank++)
        {
            if (chunkIndex.TryGetValue(passageIds[rank], out var index) && topics.ContainsKey(index))
            {
                passageRank.TryAdd(index, rank);
            }
        }

        var mentions = subgraph.Edges.GroupBy(e => e.Entity).ToDictionary(g => g.Key, g => g.ToList());
        var targets = new List<BridgeTarget>();
        var taken = new HashSet<int>(passageRank.Keys);
        foreach (var (passage, rank) in passageRank.OrderBy(p => p.Value))
        {
            var ownTopic = topics[passage].Key;
            var entities = subgraph.Edges.Where(e => e.Chunk == passage).Select(e => e.Entity).Distinct().OrderBy(e => subgraph.Entities[e].Id, StringComparer.Ordinal);
            foreach (var entity in entities)
            {
                var key = EntityNames.Normalize(subgraph.Entities[entity].Name);
                if (EntityNames.IsTrivial(key) || key == ownTopic || queryKeys.Contains(key))
                {
                    continue;
                }

                var perDocument = mentions[entity]
                    .Where(e => e.Chunk != passage && topics.TryGetValue(e.Chunk, out var t) && t.Key == key)
                    .GroupBy(e => topics[e.Chunk].DocumentId, StringComparer.Ordinal)
                    .Select(g => g.OrderByDescending(e => e.Count).ThenBy(e => subgraph.ChunkIds[e.Chunk], StringComparer.Ordinal).First())
                    .ToList();
                if (perDocument.Count == 0 || perDocument.Count > options.BridgeMaxTargets)
                {
                    continue;
                }

                foreach (var edge in perDocument.Where(e => taken.Add(e.Chunk)))
                {
                    targets.Add(new BridgeTarget(subgraph.ChunkIds[edge.Chunk], rank, subgraph.ChunkIds[passage], subgraph.Entities[entity]));
                }
            }
        }

        return targets;
    }

    /// <summary>A document title as an entity key: normalized, without a trailing parenthesized qualifier.</summary>
    public static string TopicKey(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        var trimmed = title.Trim();
        if (trimmed.EndsWith(')'))
        {
            var open = trimmed.LastIndexOf('(');
            if (open > 0)
            {
                trimmed = trimmed[..open];
            }
        }

        return EntityNames.Normalize(trimmed);
    }
}

/// <summary>
/// Chunk <see cref="ChunkId"/> belongs to a document about <see cref="Entity"/>, which passage <see cref="PassageId"/>
/// (0-based rank <see cref="PassageRank"/> in the fused ranking) mentions.
/// </summary>
public sealed record BridgeTarget(string ChunkId, int PassageRank, string PassageId, GraphEntity Entity);
