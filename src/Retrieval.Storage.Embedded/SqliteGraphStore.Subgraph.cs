using Retrieval.Core.Graph;
using Retrieval.Core.Security;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// The subgraph read of local graph retrieval, from an in-memory copy of the mention table (<see cref="GraphSnapshot"/>)
/// instead of one SQL round trip per hop plus three more per query. Each call reads the store's change counters in its
/// own transaction (one short statement) and uses the copy only when they match — any write by this process or another
/// one moves them and the next call reloads the copy — so it never sees an older graph than the SQL reads would.
/// The copy is shared by all callers; their permitted ACL sets are applied to every mention and chunk during the
/// expansion, exactly where the SQL filtered them, so a caller never receives what another caller's rights reach.
/// </summary>
public sealed partial class SqliteGraphStore : IDisposable
{
    private readonly SemaphoreSlim snapshotLoad = new(1, 1);
    private GraphSnapshot? snapshot;

    /// <summary>Times the copy has been (re)loaded: for tests of invalidation.</summary>
    internal int SnapshotLoads { get; private set; }

    public void Dispose() => snapshotLoad.Dispose();

    public async Task<EntityChunkGraph> GetSubgraphAsync(
        AclFilter filter, IReadOnlyCollection<string> seedIds, IReadOnlyCollection<string> seedChunkIds, GraphExpansion expansion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(seedIds);
        ArgumentNullException.ThrowIfNull(seedChunkIds);
        ArgumentNullException.ThrowIfNull(expansion);
        var current = await GetSnapshotAsync(cancellationToken);
        return Expand(current, filter, seedIds, seedChunkIds, expansion);
    }

    /// <summary>The copy matching the store's current change counters, loaded (once, whoever asks first) when they moved.</summary>
    internal async Task<GraphSnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: true);
        var head = await GraphSnapshot.ReadHeadAsync(connection, transaction, cancellationToken);
        var current = Volatile.Read(ref snapshot);
        if (current is not null && current.Head == head)
        {
            return current;
        }

        await snapshotLoad.WaitAsync(cancellationToken);
        try
        {
            current = Volatile.Read(ref snapshot);
            if (current is not null && current.Head == head)
            {
                return current;
            }

            // Read in the transaction that read the head, so the copy is exactly the state those counters describe.
            var loaded = await GraphSnapshot.LoadAsync(connection, transaction, head, cancellationToken);
            SnapshotLoads++;
            Volatile.Write(ref snapshot, loaded);
            return loaded;
        }
        finally
        {
            snapshotLoad.Release();
        }
    }

    /// <summary>
    /// Breadth-first expansion from the seeds, hop by hop: an entity contributes its readable mentions with the highest
    /// counts (ties: lower chunk sequence) up to <see cref="GraphExpansion.MaxChunksPerEntity"/>; a new chunk contributes
    /// all its readable mentions, whose entities form the next frontier. Frontiers are visited in row-id order and chunks
    /// in sequence order, as the SQL returned them, so the subgraph — its node numbering included — is the same.
    /// </summary>
    internal static EntityChunkGraph Expand(
        GraphSnapshot graph, AclFilter filter, IReadOnlyCollection<string> seedIds, IReadOnlyCollection<string> seedChunkIds, GraphExpansion expansion)
    {
        var permitted = graph.PermittedSets(filter);
        var mentions = graph.Mentions;

        var frontierEntities = new List<int>();
        foreach (var id in seedIds.Distinct(StringComparer.Ordinal))
        {
            if (graph.TryGetEntity(id, out var entity) && string.Equals(graph.EntityTenants[entity], filter.Tenant, StringComparison.Ordinal))
            {
                frontierEntities.Add(entity);
            }
        }

        var frontierChunks = new List<int>();
        foreach (var id in seedChunkIds.Distinct(StringComparer.Ordinal))
        {
            if (graph.TryGetChunk(id, out var chunk)
                && string.Equals(graph.ChunkTenants[chunk], filter.Tenant, StringComparison.Ordinal)
                && permitted.Contains(graph.ChunkAclSets[chunk]))
            {
                frontierChunks.Add(chunk);
            }
        }

        var expanded = new HashSet<int>(frontierEntities);
        var loadedChunks = new HashSet<int>();
        var rows = new List<int>();
        for (var hop = 0; hop < expansion.Hops && loadedChunks.Count < expansion.MaxChunks; hop++)
        {
            var newChunks = new List<int>();
            foreach (var chunk in frontierChunks)
            {
                if (loadedChunks.Add(chunk))
                {
                    newChunks.Add(chunk);
                }
            }

            frontierEntities.Sort();
            var full = false;
            foreach (var entity in frontierEntities)
            {
                var taken = 0;
                for (var i = graph.EntityStarts[entity]; i < graph.EntityStarts[entity + 1] && taken < expansion.MaxChunksPerEntity; i++)
                {
                    ref readonly var mention = ref mentions[graph.EntityMentions[i]];
                    if (!permitted.Contains(mention.AclSet))
                    {
                        continue;
                    }

                    taken++;
                    if (loadedChunks.Count >= expansion.MaxChunks)
                    {
                        full = true;
                        break;
                    }

                    if (loadedChunks.Add(mention.Chunk))
                    {
                        newChunks.Add(mention.Chunk);
                    }
                }

                if (full)
                {
                    break;
                }
            }

            frontierChunks = [];
            frontierEntities = [];
            if (newChunks.Count == 0)
            {
                break;
            }

            newChunks.Sort();
            foreach (var chunk in newChunks)
            {
                for (var m = graph.ChunkStarts[chunk]; m < graph.ChunkStarts[chunk + 1]; m++)
                {
                    if (!permitted.Contains(mentions[m].AclSet))
                    {
                        continue;
                    }

                    rows.Add(m);
                    if (expanded.Add(mentions[m].Entity))
                    {
                        frontierEntities.Add(mentions[m].Entity);
                    }
                }
            }
        }

        if (rows.Count == 0)
        {
            return EntityChunkGraph.Empty;
        }

        // Node numbering: chunks and entities in order of first appearance among the rows.
        var chunkIndex = new Dictionary<int, int>();
        var chunkIds = new List<string>();
        var entityIndex = new Dictionary<int, int>();
        var entityOrder = new List<int>();
        var entityRows = new List<List<(string Name, string? Type, int Count)>>();
        var edges = new List<MentionEdge>(rows.Count);
        foreach (var m in rows)
        {
            ref readonly var mention = ref mentions[m];
            if (!chunkIndex.TryGetValue(mention.Chunk, out var c))
            {
                c = chunkIds.Count;
                chunkIndex.Add(mention.Chunk, c);
                chunkIds.Add(graph.ChunkIds[mention.Chunk]);
            }

            if (!entityIndex.TryGetValue(mention.Entity, out var e))
            {
                e = entityOrder.Count;
                entityIndex.Add(mention.Entity, e);
                entityOrder.Add(mention.Entity);
                entityRows.Add([]);
            }

            entityRows[e].Add((mention.Name, mention.Type, mention.Count));
            edges.Add(new MentionEdge(e, c, mention.Count));
        }

        // Readable chunks mentioning each entity, over the whole store (not only the subgraph): its specificity.
        var entities = new List<GraphEntity>(entityOrder.Count);
        for (var e = 0; e < entityOrder.Count; e++)
        {
            var entity = entityOrder[e];
            var readable = 0;
            for (var i = graph.EntityStarts[entity]; i < graph.EntityStarts[entity + 1]; i++)
            {
                if (permitted.Contains(mentions[graph.EntityMentions[i]].AclSet))
                {
                    readable++;
                }
            }

            entities.Add(Summarize(graph.EntityPublicIds[entity], entityRows[e], readable));
        }

        return new EntityChunkGraph(entities, chunkIds, edges);
    }
}
