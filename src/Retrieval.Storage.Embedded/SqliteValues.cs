using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Retrieval.Storage.Embedded;

/// <summary>How values are stored: instants as UTC ticks (exact round-trip), lists and maps as JSON text.</summary>
internal static class SqliteValues
{
    public static long ToTicks(DateTimeOffset value) => value.UtcTicks;

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    public static DateTimeOffset? FromNullableTicks(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : FromTicks(reader.GetInt64(ordinal));

    public static string? GetNullableString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static string ListToJson(IReadOnlyList<string> values) => JsonSerializer.Serialize(values);

    public static IReadOnlyList<string> ListFromJson(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];

    public static string MapToJson(IReadOnlyDictionary<string, string> values) =>
        JsonSerializer.Serialize(values.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal));

    public static IReadOnlyDictionary<string, string> MapFromJson(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? new Dictionary<string, string>(StringComparer.Ordinal);

    public static object DbValue(object? value) => value ?? DBNull.Value;
}
