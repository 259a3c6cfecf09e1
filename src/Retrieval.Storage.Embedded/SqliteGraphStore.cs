using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// Graph reads over the embedded store. Every query reaches entities only through mention, name or relation rows whose
/// ACL set (the supporting chunk's) the caller may read — tenant and principals checked in the same SQL statement — so
/// names, aliases, counts and weights are computed from readable chunks only. Each read runs in one snapshot.
/// </summary>
public sealed partial class SqliteGraphStore : IGraphStore
{
    private readonly EmbeddedDatabase database;

    /// <param name="database">The store's database.</param>
    /// <param name="options">
    /// <c>Retrieval:Graph</c>, read per subgraph call for <see cref="GraphOptions.InMemorySubgraph"/> and
    /// <see cref="GraphOptions.InMemorySubgraphMaxMentions"/>; null: their defaults.
    /// </param>
    /// <param name="logger">Logs the background reloads of the subgraph copy; null: none.</param>
    /// <param name="timeProvider">Times the background reloads (their pacing); null: the system clock.</param>
    public SqliteGraphStore(
        EmbeddedDatabase database, IOptionsMonitor<GraphOptions>? options = null, ILogger<SqliteGraphStore>? logger = null, TimeProvider? timeProvider = null)
    {
        this.database = database ?? throw new ArgumentNullException(nameof(database));
        this.options = options;
        this.logger = logger ?? (ILogger)NullLogger.Instance;
        time = timeProvider ?? TimeProvider.System;
    }

    public bool StoresGraph => true;

    public async Task<string?> GetExtractorAsync(string tenant, string documentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT extractor FROM graph_documents WHERE tenant = $tenant AND document_id = $id;";
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$id", documentId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public async Task<IReadOnlyList<LinkedEntity>> FindByKeysAsync(AclFilter filter, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return [];
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: true);
        var matches = new List<(string Key, long Entity)>();
        await using (var command = Command(connection, transaction, filter,
            $"""
            SELECT DISTINCT n.name_key, n.entity_id FROM graph_names n
            WHERE n.tenant = $tenant AND n.name_key IN (SELECT value FROM json_each($keys)) AND n.acl_set_id IN {AclSets.PermittedSetsSql};
            """))
        {
            command.Parameters.AddWithValue("$keys", JsonSerializer.Serialize(keys));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                matches.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }

        var entities = await LoadEntitiesAsync(connection, transaction, filter, matches.Select(m => m.Entity).Distinct().ToList(), cancellationToken);
        return [.. matches.Where(m => entities.ContainsKey(m.Entity)).Select(m => new LinkedEntity(entities[m.Entity], m.Key))];
    }

    public async Task<IReadOnlyList<GraphEntity>> SearchAsync(AclFilter filter, string prefix, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (string.IsNullOrEmpty(prefix) || limit <= 0)
        {
            return [];
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: true);
        var ids = new List<long>();
        await using (var command = Command(connection, transaction, filter,
            $"""
            SELECT DISTINCT n.entity_id FROM graph_names n
            WHERE n.tenant = $tenant AND n.name_key >= $low AND n.name_key < $high AND n.acl_set_id IN {AclSets.PermittedSetsSql}
            LIMIT 1000;
            """))
        {
            command.Parameters.AddWithValue("$low", prefix);
            command.Parameters.AddWithValue("$high", prefix + '\uffff');
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
            }
        }

        var entities = await LoadEntitiesAsync(connection, transaction, filter, ids, cancellationToken);
        return [.. entities.Values.OrderByDescending(e => e.Mentions).ThenBy(e => e.Name, StringComparer.Ordinal).Take(limit)];
    }

    public async Task<EntityDetail?> GetAsync(AclFilter filter, string entityId, int maxNeighbors, int maxChunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: true);
        long id;
        string key;
        await using (var find = Command(connection, transaction, null, "SELECT id, key FROM graph_entities WHERE public_id = $id AND tenant = $tenant;"))
        {
            find.Parameters.AddWithValue("$id", entityId ?? string.Empty);
            find.Parameters.AddWithValue("$tenant", filter.Tenant);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            id = reader.GetInt64(0);
            key = reader.GetString(1);
        }

        var self = await LoadEntitiesAsync(connection, transaction, filter, [id], cancellationToken);
        if (!self.TryGetValue(id, out var entity))
        {
            return null; // exists, but no chunk this caller may read mentions it: indistinguishable from missing
        }

        var aliases = new List<string>();
        await using (var command = Command(connection, transaction, filter,
            $"""
            SELECT DISTINCT n.name_key FROM graph_names n
            WHERE n.entity_id = $entity AND n.tenant = $tenant AND n.name_key <> $key AND n.acl_set_id IN {AclSets.PermittedSetsSql}
            ORDER BY n.name_key;
            """))
        {
            command.Parameters.AddWithValue("$entity", id);
            command.Parameters.AddWithValue("$key", key);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                aliases.Add(reader.GetString(0));
            }
        }

        var related = new List<(long Entity, double Weight, int Chunks)>();
        await using (var command = Command(connection, transaction, filter,
            $"""
            SELECT other, SUM(weight) AS total, COUNT(*) FROM (
                SELECT r.target_id AS other, r.weight FROM graph_relations r WHERE r.source_id = $entity AND r.acl_set_id IN {AclSets.PermittedSetsSql}
                UNION ALL
                SELECT r.source_id AS other, r.weight FROM graph_relations r WHERE r.target_id = $entity AND r.acl_set_id IN {AclSets.PermittedSetsSql})
            GROUP BY other ORDER BY total DESC, other LIMIT $limit;
            """))
        {
            command.Parameters.AddWithValue("$entity", id);
            command.Parameters.AddWithValue("$limit", maxNeighbors);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                related.Add((reader.GetInt64(0), reader.GetDouble(1), reader.GetInt32(2)));
            }
        }

        var neighborEntities = await LoadEntitiesAsync(connection, transaction, filter, related.Select(r => r.Entity).ToList(), cancellationToken);
        var neighbors = related
            .Where(r => neighborEntities.ContainsKey(r.Entity))
            .Select(r => new EntityNeighbor(neighborEntities[r.Entity], Math.Round(r.Weight, 4), r.Chunks))
            .ToList();

        var chunkIds = new List<string>();
        await using (var command = Command(connection, transaction, filter,
            $"""
            SELECT c.id FROM graph_mentions m JOIN chunks c ON c.seq = m.chunk_seq
            WHERE m.entity_id = $entity AND m.acl_set_id IN {AclSets.PermittedSetsSql} AND c.tenant = $tenant
            ORDER BY m.count DESC, c.id LIMIT $limit;
            """))
        {
            command.Parameters.AddWithValue("$entity", id);
            command.Parameters.AddWithValue("$limit", maxChunks);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                chunkIds.Add(reader.GetString(0));
            }
        }

        return new EntityDetail(entity, aliases, neighbors, chunkIds);
    }

    /// <summary>Entities as the caller sees them: name, type, chunk and mention counts from readable mentions only; unreadable ones absent.</summary>
    private static async Task<Dictionary<long, GraphEntity>> LoadEntitiesAsync(
        SqliteConnection connection, SqliteTransaction transaction, AclFilter filter, List<long> ids, CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, GraphEntity>();
        if (ids.Count == 0)
        {
            return result;
        }

        var mentions = new Dictionary<long, (string PublicId, List<(string, string?, int)> Rows)>();
        await using var command = Command(connection, transaction, filter,
            $"""
            SELECT e.id, e.public_id, m.name, m.type, m.count FROM graph_mentions m JOIN graph_entities e ON e.id = m.entity_id
            WHERE m.entity_id IN (SELECT value FROM json_each($ids)) AND e.tenant = $tenant AND m.acl_set_id IN {AclSets.PermittedSetsSql};
            """);
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(ids));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt64(0);
                if (!mentions.TryGetValue(id, out var entry))
                {
                    entry = (reader.GetString(1), []);
                    mentions.Add(id, entry);
                }

                entry.Rows.Add((reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt32(4)));
            }
        }

        foreach (var (id, (publicId, rows)) in mentions)
        {
            result[id] = Summarize(publicId, rows, rows.Count);
        }

        return result;
    }

    /// <summary>
    /// Display name: the most frequent surface form (ties: the shorter, then the ordinal-first); type: the most frequent
    /// known type (ties: ordinal-first). Loops rather than grouping: it runs for every entity of every subgraph.
    /// </summary>
    internal static GraphEntity Summarize(string publicId, IReadOnlyList<(string Name, string? Type, int Count)> mentions, int chunks)
    {
        if (mentions.Count == 1)
        {
            var (onlyName, onlyType, onlyCount) = mentions[0];
            return new GraphEntity(publicId, onlyName, onlyType, chunks, onlyCount);
        }

        var names = new List<(string Key, int Count)>();
        var types = new List<(string Key, int Count)>();
        var total = 0;
        foreach (var (name, type, count) in mentions)
        {
            total += count;
            Accumulate(names, name, count);
            if (type is not null)
            {
                Accumulate(types, type, count);
            }
        }

        var best = names[0];
        foreach (var candidate in names)
        {
            if (candidate.Count > best.Count
                || (candidate.Count == best.Count && (candidate.Key.Length < best.Key.Length
                    || (candidate.Key.Length == best.Key.Length && string.CompareOrdinal(candidate.Key, best.Key) < 0))))
            {
                best = candidate;
            }
        }

        string? bestType = null;
        var bestTypeCount = 0;
        foreach (var (key, count) in types)
        {
            if (bestType is null || count > bestTypeCount || (count == bestTypeCount && string.CompareOrdinal(key, bestType) < 0))
            {
                (bestType, bestTypeCount) = (key, count);
            }
        }

        return new GraphEntity(publicId, best.Key, bestType, chunks, total);

        static void Accumulate(List<(string Key, int Count)> sums, string key, int count)
        {
            for (var i = 0; i < sums.Count; i++)
            {
                if (string.Equals(sums[i].Key, key, StringComparison.Ordinal))
                {
                    sums[i] = (key, sums[i].Count + count);
                    return;
                }
            }

            sums.Add((key, count));
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, AclFilter? filter, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        if (filter is not null)
        {
            AclSets.BindFilter(command, filter);
        }

        return command;
    }

    private static async Task<List<long>> ReadLongsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var values = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetInt64(0));
        }

        return values;
    }
}
