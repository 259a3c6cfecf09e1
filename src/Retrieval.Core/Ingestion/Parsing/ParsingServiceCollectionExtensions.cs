using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Retrieval.Core.Ingestion.Parsing;

public static class ParsingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the built-in <see cref="IDocumentParser"/>s (text, Markdown, HTML, PDF, DOCX, JSON/JSONL) and the
    /// <see cref="DocumentParsers"/> registry as singletons. A parser registered afterwards for the same content type
    /// or extension replaces the built-in one.
    /// </summary>
    public static IServiceCollection AddDocumentParsing(this IServiceCollection services)
    {
        services.AddOptions();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentParser, PlainTextParser>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentParser, MarkdownParser>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentParser, HtmlParser>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentParser, PdfParser>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentParser, DocxParser>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentParser, JsonParser>());
        services.TryAddSingleton<DocumentParsers>();
        return services;
    }
}
