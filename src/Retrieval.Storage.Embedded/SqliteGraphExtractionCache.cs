using System.Text.Json;
using Microsoft.Data.Sqlite;
using Retrieval.Core.Graph;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// The LLM graph extraction cache in the SQLite file (table <c>graph_extraction_cache</c>). <see cref="SqliteDocumentStore"/>
/// deletes the rows of a deleted or replaced document's text in its own transaction (<see cref="DeleteUnheldAsync"/>).
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

    /// <summary>
    /// Inside a document delete or replacement, after its chunks changed: deletes the tenant's rows for
    /// <paramref name="chunkHashes"/> (the removed chunks' text hashes) that no chunk of the tenant still holds.
    /// </summary>
    internal static async Task DeleteUnheldAsync(WriteTransaction write, string tenant, IReadOnlyCollection<string> chunkHashes, CancellationToken cancellationToken)
    {
        if (chunkHashes.Count == 0)
        {
            return;
        }

        await using var command = write.CreateCommand(
            """
            DELETE FROM graph_extraction_cache
            WHERE tenant = $tenant AND chunk_hash IN (SELECT value FROM json_each($hashes))
              AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.tenant = $tenant AND c.text_hash = graph_extraction_cache.chunk_hash);
            """);
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$hashes", JsonSerializer.Serialize(chunkHashes));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
