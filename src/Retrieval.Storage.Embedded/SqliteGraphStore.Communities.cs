using Microsoft.Data.Sqlite;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;

namespace Retrieval.Storage.Embedded;

/// <summary>The caller's whole permitted entity graph, for community detection (global retrieval).</summary>
public sealed partial class SqliteGraphStore
{
    public async Task<EntityGraph> GetEntityGraphAsync(AclFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: true);

        // The readable ACL sets once, then every row is checked against them in the same snapshot.
        var rows = new List<(long Entity, long Chunk, int Count, string Name, string? Type)>();
        var entityInfo = new Dictionary<long, (string PublicId, string Key)>();
        var chunkIds = new Dictionary<long, string>();
        await using (var command = Command(connection, transaction, filter,
            $"""
            SELECT m.entity_id, m.chunk_seq, m.count, m.name, m.type, e.public_id, e.key, c.id
            FROM graph_mentions m CROSS JOIN graph_entities e CROSS JOIN chunks c
            WHERE m.acl_set_id IN {AclSets.PermittedSetsSql} AND e.id = m.entity_id AND e.tenant = $tenant
              AND c.seq = m.chunk_seq AND c.tenant = $tenant
            ORDER BY m.entity_id, m.chunk_seq;
            """))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var entity = reader.GetInt64(0);
                var chunk = reader.GetInt64(1);
                rows.Add((entity, chunk, reader.GetInt32(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
                entityInfo.TryAdd(entity, (reader.GetString(5), reader.GetString(6)));
                chunkIds.TryAdd(chunk, reader.GetString(7));
            }
        }

        if (rows.Count == 0)
        {
            return EntityGraph.Empty;
        }

        var relations = new List<(long Source, long Target, double Weight, int Chunks)>();
        await using (var command = Command(connection, transaction, filter,
            $"""
            SELECT r.source_id, r.target_id, SUM(r.weight), COUNT(*) FROM graph_relations r
            WHERE r.acl_set_id IN {AclSets.PermittedSetsSql}
            GROUP BY r.source_id, r.target_id ORDER BY r.source_id, r.target_id;
            """))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                relations.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetInt32(3)));
            }
        }

        // Entities in a fixed order (public id), so community detection sees the same graph in the same order every time.
        var entityOrder = entityInfo.OrderBy(e => e.Value.PublicId, StringComparer.Ordinal).Select(e => e.Key).ToList();
        var entityIndex = entityOrder.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index);
        var chunkOrder = chunkIds.OrderBy(c => c.Value, StringComparer.Ordinal).Select(c => c.Key).ToList();
        var chunkIndex = chunkOrder.Select((seq, index) => (seq, index)).ToDictionary(p => p.seq, p => p.index);
        var byEntity = rows.ToLookup(r => r.Entity);
        var entities = entityOrder
            .Select(id => Summarize(entityInfo[id].PublicId, byEntity[id].Select(m => (m.Name, m.Type, m.Count)).ToList(), byEntity[id].Count()))
            .ToList();
        var mentions = rows.Select(r => new MentionEdge(entityIndex[r.Entity], chunkIndex[r.Chunk], r.Count)).ToList();

        // A relation row exists only where its chunk mentions both entities, so both ends are readable here; the check is defence in depth.
        var edges = relations
            .Where(r => entityIndex.ContainsKey(r.Source) && entityIndex.ContainsKey(r.Target))
            .Select(r => new RelationEdge(entityIndex[r.Source], entityIndex[r.Target], r.Weight, r.Chunks))
            .ToList();
        return new EntityGraph(entities, [.. entityOrder.Select(id => entityInfo[id].Key)], [.. chunkOrder.Select(seq => chunkIds[seq])], mentions, edges);
    }
}
