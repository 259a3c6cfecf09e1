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

    /// <summary>
    /// Inside a document delete or replacement, after its chunks changed: deletes the tenant's rows for
    /// <paramref name="chunkHashes"/> (the removed chunks' text hashes) that no chunk of the tenant still holds.
    /// </summary>
    internal static async Task DeleteUnheldAsync(PostgresTransaction write, string tenant, IReadOnlyCollection<string> chunkHashes, CancellationToken cancellationToken)
    {
        if (chunkHashes.Count == 0)
        {
            return;
        }

        await using var command = write.Command(
            """
            DELETE FROM graph_extraction_cache g
            WHERE g.tenant = @tenant AND g.chunk_hash = ANY(@hashes)
              AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.tenant = @tenant AND c.text_hash = g.chunk_hash);
            """);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.Add(PostgresValues.TextArray("hashes", chunkHashes));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
