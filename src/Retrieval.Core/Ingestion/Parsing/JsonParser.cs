using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Retrieval.Core.Options;

namespace Retrieval.Core.Ingestion.Parsing;

/// <summary>
/// JSON documents and JSON Lines. A record with a <c>title</c> and/or a <c>text</c>/<c>content</c>/<c>body</c> field
/// becomes a heading and paragraphs; any other object is flattened into "key: value" lines (nested keys joined with
/// '.', array items indexed). A top-level array is a list of records. Nesting deeper than
/// Retrieval:Ingestion:MaxJsonDepth (default <see cref="MaxDepth"/>) is refused; a JSON Lines error names the line.
/// </summary>
public sealed class JsonParser : IDocumentParser
{
    /// <summary>The default of Retrieval:Ingestion:MaxJsonDepth.</summary>
    public const int MaxDepth = 64;

    private static readonly string[] TextFields = ["text", "content", "body"];

    private readonly IOptions<IngestionOptions> _options;

    public JsonParser()
        : this(Microsoft.Extensions.Options.Options.Create(new IngestionOptions()))
    {
    }

    public JsonParser(IOptions<IngestionOptions> options)
    {
        _options = options;
    }

    public IReadOnlyList<string> ContentTypes { get; } = ["application/json", "text/json", "application/x-ndjson", "application/jsonl", "application/x-jsonlines"];

    public IReadOnlyList<string> Extensions { get; } = [".json", ".jsonl", ".ndjson"];

    public ParsedDocument Parse(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var options = _options.Value;
        var documentOptions = new JsonDocumentOptions
        {
            MaxDepth = options.MaxJsonDepth,
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
        };
        string source = TextNormalizer.DecodeText(content.Span, "JSON");
        var builder = new DocumentTextBuilder("JSON", options.MaxDocumentChars);
        var titles = new List<string>();

        // JSON Lines is recognised by content rather than by name: more than one top-level value, one per line.
        if (TryParseWhole(source, documentOptions, out var whole, out var wholeError))
        {
            using (whole)
            {
                AddTopLevel(whole!.RootElement, builder, titles, cancellationToken);
            }
        }
        else if (!LooksLikeJsonLines(source, documentOptions))
        {
            throw wholeError!;
        }
        else
        {
            ParseLines(source, documentOptions, builder, titles, cancellationToken);
        }

        return builder.Build(titles.Count == 1 ? titles[0] : null);
    }

    private static bool TryParseWhole(string source, JsonDocumentOptions documentOptions, out JsonDocument? document, out DocumentParseException? error)
    {
        try
        {
            document = JsonDocument.Parse(source, documentOptions);
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            document = null;
            error = new DocumentParseException(Describe("The JSON document is not valid JSON", ex, documentOptions.MaxDepth), ex);
            return false;
        }
    }

    /// <summary>Several non-blank lines, the first of which is a complete JSON value by itself.</summary>
    private static bool LooksLikeJsonLines(string source, JsonDocumentOptions documentOptions)
    {
        string? first = null;
        int lines = 0;
        foreach (var line in source.AsSpan().EnumerateLines())
        {
            if (!line.IsWhiteSpace())
            {
                first ??= line.ToString();
                lines++;
            }

            if (lines > 1)
            {
                break;
            }
        }

        if (lines < 2)
        {
            return false;
        }

        try
        {
            using var _ = JsonDocument.Parse(first!, documentOptions);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void ParseLines(string source, JsonDocumentOptions documentOptions, DocumentTextBuilder builder, List<string> titles, CancellationToken cancellationToken)
    {
        int lineNumber = 0;
        foreach (var line in source.AsSpan().EnumerateLines())
        {
            lineNumber++;
            if (line.IsWhiteSpace())
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            JsonDocument record;
            try
            {
                record = JsonDocument.Parse(line.ToString(), documentOptions);
            }
            catch (JsonException ex)
            {
                throw new DocumentParseException(
                    Describe($"Line {lineNumber.ToString(CultureInfo.InvariantCulture)} of the JSON Lines document is not valid JSON", ex, documentOptions.MaxDepth, withLine: false), ex);
            }

            using (record)
            {
                AddRecord(record.RootElement, builder, titles, $"Line {lineNumber.ToString(CultureInfo.InvariantCulture)} of the JSON Lines document");
            }
        }
    }

    private static void AddTopLevel(JsonElement root, DocumentTextBuilder builder, List<string> titles, CancellationToken cancellationToken)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            int index = 0;
            foreach (var item in root.EnumerateArray())
            {
                if (++index % 256 == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                AddRecord(item, builder, titles, "The JSON document");
            }
        }
        else
        {
            AddRecord(root, builder, titles, "The JSON document");
        }
    }

    private static void AddRecord(JsonElement record, DocumentTextBuilder builder, List<string> titles, string location)
    {
        try
        {
            AddRecordCore(record, builder, titles);
        }
        catch (InvalidOperationException ex)
        {
            // System.Text.Json refuses to materialize strings with lone surrogate escapes ("\ud800").
            throw new DocumentParseException($"{location} contains an invalid Unicode escape.", ex);
        }
    }

    private static void AddRecordCore(JsonElement record, DocumentTextBuilder builder, List<string> titles)
    {
        if (record.ValueKind == JsonValueKind.Object && IsTextRecord(record))
        {
            if (Field(record, "title") is { } title && builder.Add(title, BlockKind.Heading, 1) is { Length: > 0 } added)
            {
                titles.Add(added);
            }

            foreach (string name in TextFields)
            {
                if (Field(record, name) is { } text)
                {
                    foreach (string paragraph in text.Split(["\r\n\r\n", "\n\n"], StringSplitOptions.None))
                    {
                        builder.Add(paragraph, BlockKind.Paragraph);
                    }
                }
            }

            return;
        }

        if (record.ValueKind == JsonValueKind.String)
        {
            builder.Add(record.GetString() ?? string.Empty, BlockKind.Paragraph);
            return;
        }

        var lines = new StringBuilder();
        Flatten(record, string.Empty, lines);
        builder.Add(lines.ToString(), BlockKind.Paragraph);
    }

    private static bool IsTextRecord(JsonElement record) =>
        Field(record, "title") is not null || TextFields.Any(name => Field(record, name) is not null);

    /// <summary>A string field, matched case-insensitively; null when missing or not a string.</summary>
    private static string? Field(JsonElement record, string name)
    {
        foreach (var property in record.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
            {
                return property.Value.GetString();
            }
        }

        return null;
    }

    /// <summary>"key: value" lines. Recursion is bounded: JsonDocument already refused nesting past MaxJsonDepth.</summary>
    private static void Flatten(JsonElement element, string path, StringBuilder lines)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", lines);
                }

                break;
            case JsonValueKind.Array:
                if (element.EnumerateArray().All(IsScalar))
                {
                    AppendLine(lines, path, string.Join(", ", element.EnumerateArray().Select(Scalar).Where(s => s.Length > 0)));
                    break;
                }

                int index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]", lines);
                    index++;
                }

                break;
            default:
                AppendLine(lines, path, Scalar(element));
                break;
        }
    }

    private static void AppendLine(StringBuilder lines, string path, string value)
    {
        if (value.Length == 0)
        {
            return;
        }

        // Newlines inside a value would break the one-line-per-key layout.
        value = value.Replace('\n', ' ').Replace('\r', ' ');
        lines.Append(path.Length == 0 ? value : $"{path}: {value}").Append('\n');
    }

    private static bool IsScalar(JsonElement element) => element.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array);

    private static string Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString() ?? string.Empty,
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => string.Empty,
    };

    private static string Describe(string prefix, JsonException ex, int maxDepth, bool withLine = true)
    {
        var where = new StringBuilder(prefix);
        if (ex.LineNumber is { } line && ex.BytePositionInLine is { } position)
        {
            if (withLine)
            {
                where.Append(CultureInfo.InvariantCulture, $" (line {line + 1}, byte {position + 1})");
            }
            else
            {
                where.Append(CultureInfo.InvariantCulture, $" (byte {position + 1})");
            }
        }

        if (ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase))
        {
            where.Append(CultureInfo.InvariantCulture, $": nesting is deeper than {maxDepth} levels (Retrieval:Ingestion:MaxJsonDepth)");
        }

        return where.Append('.').ToString();
    }
}
