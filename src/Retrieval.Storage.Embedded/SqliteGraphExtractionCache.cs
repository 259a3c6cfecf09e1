using System.Text.Json;
using Retrieval.Core.Graph;

namespace Retrieval.Storage.Embedded;

/// <summary>The LLM graph extraction cache in the SQLite file (table <c>graph_extraction_cache</c>).</summary>
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

    public async Task PutAsync(IReadOnlyDictionary<string, string> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        await using var write = await database.BeginWriteAsync(cancellationToken);
        await using var command = write.CreateCommand(
            "INSERT INTO graph_extraction_cache(cache_key, value, created_at) VALUES ($key, $value, datetime('now')) " +
            "ON CONFLICT(cache_key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at;");
        var key = command.Parameters.Add("$key", Microsoft.Data.Sqlite.SqliteType.Text);
        var value = command.Parameters.Add("$value", Microsoft.Data.Sqlite.SqliteType.Text);
        foreach (var (k, v) in entries)
        {
            key.Value = k;
            value.Value = v;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await write.CommitAsync(cancellationToken);
    }
}
