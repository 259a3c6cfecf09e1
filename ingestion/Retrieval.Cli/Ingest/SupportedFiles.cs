namespace Retrieval.Cli.Ingest;

/// <summary>File types the service's parsers read (DESIGN.md §4), with the media type sent for each.</summary>
public static class SupportedFiles
{
    private static readonly Dictionary<string, string> MediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".txt"] = "text/plain",
        [".md"] = "text/markdown",
        [".markdown"] = "text/markdown",
        [".html"] = "text/html",
        [".htm"] = "text/html",
        [".pdf"] = "application/pdf",
        [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".json"] = "application/json",
        [".jsonl"] = "application/x-ndjson",
        [".ndjson"] = "application/x-ndjson",
    };

    public static IReadOnlyCollection<string> Extensions => MediaTypes.Keys;

    public static bool IsSupported(string path) => MediaTypes.ContainsKey(Path.GetExtension(path));

    public static string MediaType(string path) =>
        MediaTypes.TryGetValue(Path.GetExtension(path), out var type) ? type : "application/octet-stream";
}
