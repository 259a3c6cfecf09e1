using Npgsql;
using Retrieval.Core.Graph;

namespace Retrieval.Storage.Postgres;

/// <summary>The LLM graph extraction cache in PostgreSQL (table <c>graph_extraction_cache</c>), shared by every worker.</summary>
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

    public async Task PutAsync(IReadOnlyDictionary<string, string> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO graph_extraction_cache(cache_key, value)
            SELECT * FROM unnest(@keys, @values)
            ON CONFLICT (cache_key) DO UPDATE SET value = excluded.value, created_at = now();
            """,
            connection);
        var pairs = entries.ToList();
        command.Parameters.Add(PostgresValues.TextArray("keys", pairs.Select(p => p.Key)));
        command.Parameters.Add(PostgresValues.TextArray("values", pairs.Select(p => p.Value)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
