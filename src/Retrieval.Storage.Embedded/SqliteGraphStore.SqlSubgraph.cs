using System.Text.Json;
using Microsoft.Data.Sqlite;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// The subgraph read in SQL: one round trip per hop and step, every row filtered by the caller's permitted ACL sets
/// inside SQLite. It answers while the in-memory copy is stale (being reloaded in the background), too large to keep,
/// or switched off; it runs in the caller's transaction, so it sees exactly the state whose counters that read.
/// The same expansion order as <see cref="Expand"/> (frontier entities by row id, chunks by sequence), so both paths
/// give the same subgraph, node numbering included.
/// </summary>
public sealed partial class SqliteGraphStore
{
    private static async Task<EntityChunkGraph> ReadSubgraphAsync(
        SqliteConnection connection, SqliteTransaction transaction, AclFilter filter, IReadOnlyCollection<string> seedIds,
        IReadOnlyCollection<string> seedChunkIds, GraphExpansion expansion, CancellationToken cancellationToken)
    {
        var frontierEntities = new List<long>();
        if (seedIds.Count > 0)
        {
            await using var command = Command(connection, transaction, null,
                "SELECT id FROM graph_entities WHERE tenant = $tenant AND public_id IN (SELECT value FROM json_each($ids));");
            command.Parameters.AddWithValue("$tenant", filter.Tenant);
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(seedIds));
            frontierEntities.AddRange(await ReadLongsAsync(command, cancellationToken));
        }

        var frontierChunks = new List<long>();
        if (seedChunkIds.Count > 0)
        {
            await using var command = Command(connection, transaction, filter,
                $"SELECT seq FROM chunks WHERE id IN (SELECT value FROM json_each($ids)) AND tenant = $tenant AND acl_set_id IN {AclSets.PermittedSetsSql};");
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(seedChunkIds));
            frontierChunks.AddRange(await ReadLongsAsync(command, cancellationToken));
        }

        var expanded = new HashSet<long>(frontierEntities);
        var loadedChunks = new HashSet<long>();
        var rows = new List<(long Entity, long Chunk, int Count, string Name, string? Type)>();
        for (var hop = 0; hop < expansion.Hops && loadedChunks.Count < expansion.MaxChunks; hop++)
        {
            var newChunks = new List<long>();
            foreach (var chunk in frontierChunks)
            {
                if (loadedChunks.Add(chunk))
                {
                    newChunks.Add(chunk);
                }
            }

            if (frontierEntities.Count > 0)
            {
                await using var command = Command(connection, transaction, filter,
                    $"""
                    SELECT chunk_seq FROM (
                        SELECT m.chunk_seq, ROW_NUMBER() OVER (PARTITION BY m.entity_id ORDER BY m.count DESC, m.chunk_seq) AS position
                        FROM graph_mentions m
                        WHERE m.entity_id IN (SELECT value FROM json_each($ids)) AND m.acl_set_id IN {AclSets.PermittedSetsSql})
                    WHERE position <= $perEntity;
                    """);
                command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(frontierEntities));
                command.Parameters.AddWithValue("$perEntity", expansion.MaxChunksPerEntity);
                foreach (var chunk in await ReadLongsAsync(command, cancellationToken))
                {
                    if (loadedChunks.Count >= expansion.MaxChunks)
                    {
                        break;
                    }

                    if (loadedChunks.Add(chunk))
                    {
                        newChunks.Add(chunk);
                    }
                }
            }

            frontierChunks = [];
            frontierEntities = [];
            if (newChunks.Count == 0)
            {
                break;
            }

            await using (var command = Command(connection, transaction, filter,
                $"""
                SELECT m.entity_id, m.chunk_seq, m.count, m.name, m.type FROM graph_mentions m
                WHERE m.chunk_seq IN (SELECT value FROM json_each($chunks)) AND m.acl_set_id IN {AclSets.PermittedSetsSql};
                """))
            {
                command.Parameters.AddWithValue("$chunks", JsonSerializer.Serialize(newChunks));
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var row = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4));
                    rows.Add(row);
                    if (expanded.Add(row.Item1))
                    {
                        frontierEntities.Add(row.Item1);
                    }
                }
            }
        }

        if (rows.Count == 0)
        {
            return EntityChunkGraph.Empty;
        }

        // Chunk ids, entity public ids and readable mention counts.
        var chunkOrder = rows.Select(r => r.Chunk).Distinct().ToList();
        var chunkIds = new Dictionary<long, string>();
        await using (var command = Command(connection, transaction, null, "SELECT seq, id FROM chunks WHERE seq IN (SELECT value FROM json_each($seqs));"))
        {
            command.Parameters.AddWithValue("$seqs", JsonSerializer.Serialize(chunkOrder));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                chunkIds[reader.GetInt64(0)] = reader.GetString(1);
            }
        }

        var entityOrder = rows.Select(r => r.Entity).Distinct().ToList();
        var publicIds = new Dictionary<long, (string PublicId, int Chunks)>();
        await using (var command = Command(connection, transaction, filter,
            $"""
            SELECT e.id, e.public_id, (SELECT COUNT(*) FROM graph_mentions m WHERE m.entity_id = e.id AND m.acl_set_id IN {AclSets.PermittedSetsSql})
            FROM graph_entities e WHERE e.id IN (SELECT value FROM json_each($ids));
            """))
        {
            command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(entityOrder));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                publicIds[reader.GetInt64(0)] = (reader.GetString(1), reader.GetInt32(2));
            }
        }

        var entityIndex = new Dictionary<long, int>(entityOrder.Count);
        for (var e = 0; e < entityOrder.Count; e++)
        {
            entityIndex[entityOrder[e]] = e;
        }

        var chunkIndex = new Dictionary<long, int>(chunkOrder.Count);
        for (var c = 0; c < chunkOrder.Count; c++)
        {
            chunkIndex[chunkOrder[c]] = c;
        }

        var rowsByEntity = rows.ToLookup(r => r.Entity);
        var entities = entityOrder
            .Select(id => Summarize(publicIds[id].PublicId, [.. rowsByEntity[id].Select(m => (m.Name, m.Type, m.Count))], publicIds[id].Chunks))
            .ToList();
        var edges = rows.Select(r => new MentionEdge(entityIndex[r.Entity], chunkIndex[r.Chunk], r.Count)).ToList();
        return new EntityChunkGraph(entities, [.. chunkOrder.Select(seq => chunkIds[seq])], edges);
    }
}
