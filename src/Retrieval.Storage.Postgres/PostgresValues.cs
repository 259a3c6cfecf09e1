using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Retrieval.Storage.Postgres;

/// <summary>How values are stored: instants as timestamptz (UTC, microsecond precision), lists as text[], maps as jsonb.</summary>
internal static class PostgresValues
{
    public static DateTimeOffset Utc(DateTimeOffset value) => value.ToUniversalTime();

    public static DateTimeOffset? GetNullableInstant(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    public static string? GetNullableString(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static NpgsqlParameter TextArray(string name, IEnumerable<string> values) =>
        new NpgsqlParameter<string[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. values] };

    public static NpgsqlParameter Jsonb(string name, IReadOnlyDictionary<string, string> values) =>
        new(name, NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(values.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal)) };

    public static IReadOnlyDictionary<string, string> MapFromJson(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? new Dictionary<string, string>(StringComparer.Ordinal);

    public static object DbValue(object? value) => value ?? DBNull.Value;
}
