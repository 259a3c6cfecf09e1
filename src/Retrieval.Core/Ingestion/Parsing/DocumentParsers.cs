using System.Globalization;
using Microsoft.Extensions.Options;
using Retrieval.Core.Options;

namespace Retrieval.Core.Ingestion.Parsing;

/// <summary>
/// Picks the parser for a document (explicit content type first, then file extension) and enforces the size limits
/// of <see cref="IngestionOptions"/>. Errors name the document; library exceptions never escape unwrapped.
/// </summary>
public sealed class DocumentParsers
{
    // Content types that say nothing about the format: fall through to the extension.
    private static readonly HashSet<string> GenericContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/octet-stream", "binary/octet-stream", "application/unknown", "application/x-unknown",
    };

    private const int MaxNameInMessage = 200;

    private readonly Dictionary<string, IDocumentParser> _byContentType = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IDocumentParser> _byExtension = new(StringComparer.OrdinalIgnoreCase);
    private readonly IOptions<IngestionOptions> _options;

    public DocumentParsers(IEnumerable<IDocumentParser> parsers, IOptions<IngestionOptions> options)
    {
        ArgumentNullException.ThrowIfNull(parsers);
        _options = options;
        // Later registrations win, so an application can replace a built-in parser.
        foreach (var parser in parsers)
        {
            foreach (var contentType in parser.ContentTypes)
            {
                _byContentType[contentType] = parser;
            }

            foreach (var extension in parser.Extensions)
            {
                _byExtension[extension] = parser;
            }
        }

        SupportedContentTypes = _byContentType.Keys.Order(StringComparer.Ordinal).ToArray();
        SupportedExtensions = _byExtension.Keys.Order(StringComparer.Ordinal).ToArray();
    }

    public IReadOnlyList<string> SupportedContentTypes { get; }

    /// <summary>Lower-case extensions with the dot, e.g. <c>.pdf</c>.</summary>
    public IReadOnlyList<string> SupportedExtensions { get; }

    /// <summary>The default parsers (text, Markdown, HTML, PDF, DOCX, JSON/JSONL), for use without dependency injection.</summary>
    public static DocumentParsers CreateDefault(IngestionOptions? options = null)
    {
        var wrapped = Microsoft.Extensions.Options.Options.Create(options ?? new IngestionOptions());
        return new DocumentParsers(CreateDefaultParsers(wrapped), wrapped);
    }

    internal static IDocumentParser[] CreateDefaultParsers(IOptions<IngestionOptions> options) =>
    [
        new PlainTextParser(),
        new MarkdownParser(),
        new HtmlParser(options),
        new PdfParser(options),
        new DocxParser(options),
        new JsonParser(options),
    ];

    /// <summary>Whether a file of this name would be parsed (used when scanning folders).</summary>
    public bool IsSupported(string fileName) => FindByExtension(fileName) is not null;

    /// <summary>The parser for the document, or null when neither its content type nor its extension is supported.</summary>
    public IDocumentParser? Find(string fileNameOrSource, string? contentType)
    {
        string? mediaType = MediaType(contentType);
        if (mediaType is not null && _byContentType.TryGetValue(mediaType, out var parser))
        {
            return parser;
        }

        return FindByExtension(fileNameOrSource);
    }

    /// <summary>
    /// Parses one document. Throws <see cref="DocumentParseException"/> (unsupported, corrupt, empty) or
    /// <see cref="PayloadTooLargeException"/> (over MaxDocumentBytes / MaxDocumentChars); both are
    /// <see cref="ValidationException"/>s that fail this document only.
    /// </summary>
    public ParsedDocument Parse(ReadOnlyMemory<byte> content, string fileNameOrSource, string? contentType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fileNameOrSource);
        var options = _options.Value;
        string name = NameForMessage(fileNameOrSource);
        var parser = Find(fileNameOrSource, contentType) ?? throw new DocumentParseException(
            $"Unsupported content type '{MediaType(contentType) ?? ExtensionOf(fileNameOrSource) ?? "none"}' for '{name}'. " +
            $"Supported: {string.Join(", ", SupportedContentTypes)} (extensions {string.Join(", ", SupportedExtensions)}).");

        if (content.Length > options.MaxDocumentBytes)
        {
            throw new PayloadTooLargeException(
                $"'{name}' is {Count(content.Length)} bytes; the limit is {Count(options.MaxDocumentBytes)} bytes " +
                "(Retrieval:Ingestion:MaxDocumentBytes).");
        }

        cancellationToken.ThrowIfCancellationRequested();
        ParsedDocument parsed;
        try
        {
            parsed = parser.Parse(content, cancellationToken);
        }
        catch (DocumentParseException ex)
        {
            throw new DocumentParseException($"'{name}': {ex.Message}", ex);
        }
        catch (PayloadTooLargeException ex)
        {
            throw new PayloadTooLargeException($"'{name}': {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not ValidationException)
        {
            // A parser bug or a library failure it did not anticipate: still only this document fails.
            throw new DocumentParseException($"'{name}' could not be parsed as {parser.ContentTypes[0]}.", ex);
        }

        if (parsed.Text.Length > options.MaxDocumentChars)
        {
            throw new PayloadTooLargeException(
                $"'{name}' has {Count(parsed.Text.Length)} characters of text; the limit is {Count(options.MaxDocumentChars)} " +
                "(Retrieval:Ingestion:MaxDocumentChars).");
        }

        return parsed;
    }

    private IDocumentParser? FindByExtension(string fileNameOrSource)
    {
        string? extension = ExtensionOf(fileNameOrSource);
        return extension is not null && _byExtension.TryGetValue(extension, out var parser) ? parser : null;
    }

    /// <summary>"text/markdown; charset=utf-8" → "text/markdown"; generic types (octet-stream) → null.</summary>
    private static string? MediaType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        int semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        string mediaType = (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
        return mediaType.Length == 0 || GenericContentTypes.Contains(mediaType) ? null : mediaType;
    }

    private static string? ExtensionOf(string fileNameOrSource)
    {
        if (string.IsNullOrWhiteSpace(fileNameOrSource))
        {
            return null;
        }

        string path = fileNameOrSource;
        if (Uri.TryCreate(fileNameOrSource, UriKind.Absolute, out var uri) && !uri.IsFile)
        {
            path = uri.AbsolutePath;
        }

        string extension = Path.GetExtension(path);
        return extension.Length > 1 ? extension.ToLowerInvariant() : null;
    }

    private static string NameForMessage(string fileNameOrSource) =>
        fileNameOrSource.Length <= MaxNameInMessage ? fileNameOrSource : string.Concat(fileNameOrSource.AsSpan(0, MaxNameInMessage), "…");

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
