using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Retrieval.Core.Graph;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// The LLM graph extraction cache in the SQLite file (table <c>graph_extraction_cache</c>). <see cref="SqliteDocumentStore"/>
/// deletes the rows of a deleted or replaced document's text in its own transaction (<see cref="DeleteUnheldAsync"/>).
/// <c>created_at</c> is the file's clock (<c>datetime('now')</c>, UTC, to the second); the orphan sweep compares it with
/// the same clock.
/// </summary>
public sealed class SqliteGraphExtractionCache(EmbeddedDatabase database) : IGraphExtractionCache
{
    public async Task<IReadOnlyDictionary<string, string>> GetAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return result;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT cache_key, value FROM graph_extraction_cache WHERE cache_key IN (SELECT value FROM json_each($keys));";
        command.Parameters.AddWithValue("$keys", JsonSerializer.Serialize(keys));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result[reader.GetString(0)] = reader.GetString(1);
        }

        return result;
    }

    public async Task PutAsync(string tenant, IReadOnlyCollection<GraphExtractionCacheEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        await using var write = await database.BeginWriteAsync(cancellationToken);
        await using var command = write.CreateCommand(
            "INSERT INTO graph_extraction_cache(cache_key, tenant, chunk_hash, value, created_at) VALUES ($key, $tenant, $hash, $value, datetime('now')) " +
            "ON CONFLICT(cache_key) DO UPDATE SET tenant = excluded.tenant, chunk_hash = excluded.chunk_hash, value = excluded.value, created_at = excluded.created_at;");
        command.Parameters.AddWithValue("$tenant", tenant);
        var key = command.Parameters.Add("$key", SqliteType.Text);
        var hash = command.Parameters.Add("$hash", SqliteType.Text);
        var value = command.Parameters.Add("$value", SqliteType.Text);
        foreach (var entry in entries)
        {
            key.Value = entry.Key;
            hash.Value = entry.ChunkHash;
            value.Value = entry.Value;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await write.CommitAsync(cancellationToken);
    }

    public async Task<int> PurgeUnheldAsync(string tenant, IReadOnlyCollection<string> chunkHashes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(chunkHashes);
        if (chunkHashes.Count == 0)
        {
            return 0;
        }

        await using var write = await database.BeginWriteAsync(cancellationToken);
        var deleted = await DeleteUnheldAsync(write, tenant, chunkHashes, cancellationToken);
        await write.CommitAsync(cancellationToken);
        return deleted;
    }

    public async Task<GraphExtractionCachePurge> PurgeOrphansAsync(TimeSpan minimumAge, string afterKey, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(afterKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumAge, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var cutoff = string.Create(CultureInfo.InvariantCulture, $"-{minimumAge.TotalSeconds:F3} seconds");

        // Candidates are found by a read, which takes no write lock (WAL readers never block the writer) however many
        // rows it has to pass over; only the delete of at most `limit` rows, each checked again, holds the lock.
        var candidates = new List<string>(Math.Min(limit, 1_024));
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var find = connection.CreateCommand())
        {
            find.CommandText =
                """
                SELECT g.cache_key FROM graph_extraction_cache g
                WHERE g.cache_key > $after AND g.created_at <= datetime('now', $cutoff)
                  AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.text_hash = g.chunk_hash AND c.tenant = g.tenant)
                ORDER BY g.cache_key LIMIT $limit;
                """;
            find.Parameters.AddWithValue("$after", afterKey);
            find.Parameters.AddWithValue("$cutoff", cutoff);
            find.Parameters.AddWithValue("$limit", limit);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                candidates.Add(reader.GetString(0));
            }
        }

        if (candidates.Count == 0)
        {
            return new GraphExtractionCachePurge(0, null);
        }

        int deleted;
        await using (var write = await database.BeginWriteAsync(cancellationToken))
        {
            // Checked again under the lock: a chunk stored, or the row rewritten by an ingest, since the read keeps it.
            await using var command = write.CreateCommand(
                """
                DELETE FROM graph_extraction_cache
                WHERE cache_key IN (SELECT value FROM json_each($keys)) AND created_at <= datetime('now', $cutoff)
                  AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.text_hash = graph_extraction_cache.chunk_hash AND c.tenant = graph_extraction_cache.tenant);
                """);
            command.Parameters.AddWithValue("$keys", JsonSerializer.Serialize(candidates));
            command.Parameters.AddWithValue("$cutoff", cutoff);
            deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            await write.CommitAsync(cancellationToken);
        }

        return new GraphExtractionCachePurge(deleted, candidates.Count < limit ? null : candidates[^1]);
    }

    /// <summary>
    /// Inside a document delete or replacement, after its chunks changed (or on its own, after a failed ingest): deletes
    /// the tenant's rows for <paramref name="chunkHashes"/> (the removed chunks' text hashes) that no chunk of the tenant
    /// still holds. Returns the number of rows deleted.
    /// </summary>
    internal static async Task<int> DeleteUnheldAsync(WriteTransaction write, string tenant, IReadOnlyCollection<string> chunkHashes, CancellationToken cancellationToken)
    {
        if (chunkHashes.Count == 0)
        {
            return 0;
        }

        await using var command = write.CreateCommand(
            """
            DELETE FROM graph_extraction_cache
            WHERE tenant = $tenant AND chunk_hash IN (SELECT value FROM json_each($hashes))
              AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.tenant = $tenant AND c.text_hash = graph_extraction_cache.chunk_hash);
            """);
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$hashes", JsonSerializer.Serialize(chunkHashes));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
