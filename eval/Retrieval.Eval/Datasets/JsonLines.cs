using System.Text.Json;

namespace Retrieval.Eval.Datasets;

/// <summary>Reads JSON Lines files one object per line, turning any problem into a <see cref="DatasetFormatException"/>.</summary>
internal static class JsonLines
{
    public static IEnumerable<(int Line, JsonElement Value)> Read(string path)
    {
        RequireFile(path);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonElement value;
            try
            {
                using var document = JsonDocument.Parse(line);
                value = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new DatasetFormatException(path, lineNumber, $"not valid JSON ({ex.Message})", ex);
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                throw new DatasetFormatException(path, lineNumber, $"expected a JSON object, found {value.ValueKind}");
            }

            yield return (lineNumber, value);
        }
    }

    public static string RequiredString(JsonElement value, string property, string path, int line)
    {
        if (!value.TryGetProperty(property, out var element))
        {
            throw new DatasetFormatException(path, line, $"missing required field \"{property}\"");
        }

        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString()!,
            JsonValueKind.Number => element.GetRawText(),
            _ => throw new DatasetFormatException(path, line, $"field \"{property}\" must be a string, found {element.ValueKind}"),
        };
    }

    public static string OptionalString(JsonElement value, string property) =>
        value.TryGetProperty(property, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString()! : string.Empty;

    public static void RequireFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Dataset file not found: {path}", path);
        }
    }
}
