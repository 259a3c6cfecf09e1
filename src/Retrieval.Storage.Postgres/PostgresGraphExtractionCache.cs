using Npgsql;
using Retrieval.Core.Graph;

namespace Retrieval.Storage.Postgres;

/// <summary>
/// The LLM graph extraction cache in PostgreSQL (table <c>graph_extraction_cache</c>), shared by every worker.
/// <see cref="PostgresDocumentStore"/> deletes the rows of a deleted or replaced document's text in its own transaction
/// (<see cref="DeleteUnheldAsync"/>).
/// </summary>
public sealed class PostgresGraphExtractionCache(PostgresDatabase database) : IGraphExtractionCache
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
        await using var command = new NpgsqlCommand("SELECT cache_key, value FROM graph_extraction_cache WHERE cache_key = ANY(@keys);", connection);
        command.Parameters.Add(PostgresValues.TextArray("keys", keys));
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

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO graph_extraction_cache(cache_key, tenant, chunk_hash, value)
            SELECT k, @tenant, h, v FROM unnest(@keys, @hashes, @values) AS e(k, h, v)
            ON CONFLICT (cache_key) DO UPDATE SET tenant = excluded.tenant, chunk_hash = excluded.chunk_hash, value = excluded.value, created_at = now();
            """,
            connection);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.Add(PostgresValues.TextArray("keys", entries.Select(e => e.Key)));
        command.Parameters.Add(PostgresValues.TextArray("hashes", entries.Select(e => e.ChunkHash)));
        command.Parameters.Add(PostgresValues.TextArray("values", entries.Select(e => e.Value)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> PurgeUnheldAsync(string tenant, IReadOnlyCollection<string> chunkHashes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        ArgumentNullException.ThrowIfNull(chunkHashes);
        if (chunkHashes.Count == 0)
        {
            return 0;
        }

        await using var write = await database.BeginAsync(cancellationToken);
        var deleted = await DeleteUnheldAsync(write, tenant, chunkHashes, cancellationToken);
        await write.CommitAsync(cancellationToken);
        return deleted;
    }

    public async Task<GraphExtractionCachePurge> PurgeOrphansAsync(TimeSpan minimumAge, string afterKey, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(afterKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumAge, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);

        // As on SQLite: find the candidates with a read, then delete them checking again, so the write is short and
        // bounded. The age is measured by the server's clock, the one that wrote created_at.
        var candidates = new List<string>(Math.Min(limit, 1_024));
        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var find = new NpgsqlCommand(
            """
            SELECT g.cache_key FROM graph_extraction_cache g
            WHERE g.cache_key > @after AND g.created_at <= now() - @age
              AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.text_hash = g.chunk_hash AND c.tenant = g.tenant)
            ORDER BY g.cache_key LIMIT @limit;
            """,
            connection))
        {
            find.Parameters.AddWithValue("after", afterKey);
            find.Parameters.AddWithValue("age", minimumAge);
            find.Parameters.AddWithValue("limit", limit);
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

        await using var write = await database.BeginAsync(cancellationToken);
        await using var command = write.Command(
            """
            DELETE FROM graph_extraction_cache g
            WHERE g.cache_key = ANY(@keys) AND g.created_at <= now() - @age
              AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.text_hash = g.chunk_hash AND c.tenant = g.tenant);
            """);
        command.Parameters.Add(PostgresValues.TextArray("keys", candidates));
        command.Parameters.AddWithValue("age", minimumAge);
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken);
        await write.CommitAsync(cancellationToken);
        return new GraphExtractionCachePurge(deleted, candidates.Count < limit ? null : candidates[^1]);
    }

    /// <summary>
    /// Inside a document delete or replacement, after its chunks changed (or on its own, after a failed ingest): deletes
    /// the tenant's rows for <paramref name="chunkHashes"/> (the removed chunks' text hashes) that no chunk of the tenant
    /// still holds. Returns the number of rows deleted.
    /// </summary>
    internal static async Task<int> DeleteUnheldAsync(PostgresTransaction write, string tenant, IReadOnlyCollection<string> chunkHashes, CancellationToken cancellationToken)
    {
        if (chunkHashes.Count == 0)
        {
            return 0;
        }

        await using var command = write.Command(
            """
            DELETE FROM graph_extraction_cache g
            WHERE g.tenant = @tenant AND g.chunk_hash = ANY(@hashes)
              AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.tenant = @tenant AND c.text_hash = g.chunk_hash);
            """);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.Add(PostgresValues.TextArray("hashes", chunkHashes));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
