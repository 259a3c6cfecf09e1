using System.Text.Json;
using System.Text.Json.Serialization;

namespace Retrieval.Eval.Datasets;

/// <summary>
/// SummEdits: every <c>summedits_&lt;domain&gt;.json</c> in the folder is a JSON array of
/// <c>{"doc","summary","label"}</c> objects, label 1 (or "1") consistent and 0 (or "0") inconsistent.
/// </summary>
public static class SummEditsLoader
{
    private static readonly JsonSerializerOptions Options = new() { AllowTrailingCommas = false };

    public static IReadOnlyList<GroundednessExample> Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Dataset folder not found: {directory}");
        }

        var files = Directory.GetFiles(directory, "summedits_*.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new FileNotFoundException($"No summedits_<domain>.json files in {directory}");
        }

        return files.SelectMany(LoadFile).ToList();
    }

    public static IReadOnlyList<GroundednessExample> LoadFile(string path)
    {
        var domain = Path.GetFileNameWithoutExtension(path)["summedits_".Length..];
        List<SummEditsRecord?>? records;
        try
        {
            using var stream = File.OpenRead(path);
            records = JsonSerializer.Deserialize<List<SummEditsRecord?>>(stream, Options);
        }
        catch (JsonException ex)
        {
            throw new DatasetFormatException(path, (ex.LineNumber ?? 0) + 1, $"not a SummEdits JSON array of {{doc, summary, label}} objects ({ex.Message})", ex);
        }

        if (records is null)
        {
            throw new DatasetFormatException(path, 1, "expected a JSON array, found null");
        }

        var examples = new List<GroundednessExample>(records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i] ?? throw new DatasetFormatException(path, 1, $"element {i} is null");
            examples.Add(new GroundednessExample(domain, record.Doc, record.Summary, record.Label));
        }

        return examples;
    }

    private sealed class SummEditsRecord
    {
        [JsonPropertyName("doc")]
        public required string Doc { get; init; }

        [JsonPropertyName("summary")]
        public required string Summary { get; init; }

        [JsonPropertyName("label")]
        [JsonConverter(typeof(BinaryLabelConverter))]
        public required bool Label { get; init; }
    }

    /// <summary>Accepts 0/1 as a number or a string; anything else is a format error (with the line, from the serializer).</summary>
    private sealed class BinaryLabelConverter : JsonConverter<bool>
    {
        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.TokenType switch
            {
                JsonTokenType.Number => reader.TryGetInt32(out var n) ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?",
                JsonTokenType.String => reader.GetString(),
                _ => null,
            };
            return text switch
            {
                "1" => true,
                "0" => false,
                _ => throw new JsonException($"\"label\" must be 0 or 1, found {(text is null ? reader.TokenType.ToString() : "\"" + text + "\"")}"),
            };
        }

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(value ? 1 : 0);
    }
}

/// <summary>
/// QAGS: JSON Lines of <c>{"article","summary_sentences":[{"sentence","responses":[{"response":"yes"|"no"}]}]}</c>, one
/// example per sentence, supported when the majority of votes say yes. The group is the file name without
/// <c>mturk_</c> (cnndm, xsum).
/// </summary>
public static class QagsLoader
{
    public static IReadOnlyList<GroundednessExample> Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Dataset folder not found: {directory}");
        }

        var files = Directory.GetFiles(directory, "*.jsonl").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new FileNotFoundException($"No QAGS .jsonl files in {directory}");
        }

        return files.SelectMany(LoadFile).ToList();
    }

    public static IReadOnlyList<GroundednessExample> LoadFile(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var group = name.StartsWith("mturk_", StringComparison.Ordinal) ? name["mturk_".Length..] : name;
        var examples = new List<GroundednessExample>();
        foreach (var (line, value) in JsonLines.Read(path))
        {
            var article = JsonLines.RequiredString(value, "article", path, line);
            if (!value.TryGetProperty("summary_sentences", out var sentences) || sentences.ValueKind != JsonValueKind.Array)
            {
                throw new DatasetFormatException(path, line, "missing required array \"summary_sentences\"");
            }

            foreach (var sentence in sentences.EnumerateArray())
            {
                if (sentence.ValueKind != JsonValueKind.Object)
                {
                    throw new DatasetFormatException(path, line, "each of \"summary_sentences\" must be an object");
                }

                var text = JsonLines.RequiredString(sentence, "sentence", path, line);
                if (!sentence.TryGetProperty("responses", out var responses) || responses.ValueKind != JsonValueKind.Array || responses.GetArrayLength() == 0)
                {
                    throw new DatasetFormatException(path, line, "a summary sentence has no \"responses\" votes");
                }

                int yes = 0, no = 0;
                foreach (var response in responses.EnumerateArray())
                {
                    var vote = response.ValueKind == JsonValueKind.Object ? JsonLines.OptionalString(response, "response") : string.Empty;
                    switch (vote.Trim().ToLowerInvariant())
                    {
                        case "yes":
                            yes++;
                            break;
                        case "no":
                            no++;
                            break;
                        default:
                            throw new DatasetFormatException(path, line, $"a vote's \"response\" must be \"yes\" or \"no\", found \"{vote}\"");
                    }
                }

                examples.Add(new GroundednessExample(group, article, text, yes > no));
            }
        }

        return examples;
    }
}
