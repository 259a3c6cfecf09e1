using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core;
using Retrieval.Core.Features.Jobs;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Parsing;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Hosting;

/// <summary>Configuration section <c>Retrieval:Demo</c>.</summary>
public sealed class DemoCorpusOptions
{
    public const string Section = "Retrieval:Demo";

    /// <summary>Index <see cref="Path"/> as a public corpus when the store is empty.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Folder to index; relative paths follow the working directory. Default: the repository's docs/.</summary>
    public string? Path { get; set; }

    /// <summary>Tenant the demo documents belong to.</summary>
    public string Tenant { get; set; } = "default";
}

/// <summary>
/// On first start with an empty store, indexes the repository's own docs/ folder as public documents, so
/// `ask "How are permissions enforced?"` works out of the box. A missing folder is skipped with a log line.
/// </summary>
internal sealed partial class DemoCorpusSeeder : BackgroundService
{
    private readonly IDocumentStore _store;
    private readonly DocumentIngestor _ingestor;
    private readonly DocumentParsers _parsers;
    private readonly IOptions<DemoCorpusOptions> _options;
    private readonly ILogger<DemoCorpusSeeder> _logger;

    public DemoCorpusSeeder(IDocumentStore store, DocumentIngestor ingestor, DocumentParsers parsers, IOptions<DemoCorpusOptions> options, ILogger<DemoCorpusSeeder> logger)
    {
        _store = store;
        _ingestor = ingestor;
        _parsers = parsers;
        _options = options;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = _options.Value;
        if (!options.Enabled)
        {
            return;
        }

        var folder = ResolveFolder(options.Path);
        if (folder is null)
        {
            LogMissing(_logger, options.Path ?? "docs/ (searched upwards from the working directory and the application folder)");
            return;
        }

        var stats = await _store.GetStatisticsAsync(stoppingToken).ConfigureAwait(false);
        if (stats.Documents > 0)
        {
            return;
        }

        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(_parsers.IsSupported).Order(StringComparer.Ordinal).ToList();
        LogSeeding(_logger, files.Count, folder);
        foreach (var file in files)
        {
            var name = "demo/" + System.IO.Path.GetRelativePath(folder, file).Replace('\\', '/');
            try
            {
                var content = await File.ReadAllBytesAsync(file, stoppingToken).ConfigureAwait(false);
                var input = new DocumentInput(SubmitJobHandler.UploadName(name), name, null, content, null, [AclEntry.Public], new Dictionary<string, string> { ["corpus"] = "demo" });
                await _ingestor.IngestAsync(options.Tenant, input, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ValidationException or IOException)
            {
                LogSkipped(_logger, name, ex.Message);
            }
        }

        LogSeeded(_logger, files.Count);
    }

    private static string? ResolveFolder(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Directory.Exists(configured) ? System.IO.Path.GetFullPath(configured) : null;
        }

        // The repository's docs/: next to the working directory, or above the application's own folder.
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "Retrieval.sln")) && Directory.Exists(System.IO.Path.Combine(dir.FullName, "docs")))
                {
                    return System.IO.Path.Combine(dir.FullName, "docs");
                }
            }
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo corpus folder {Folder} not found; skipping the demo corpus")]
    private static partial void LogMissing(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Store is empty: indexing {Count} files from {Folder} as a public demo corpus")]
    private static partial void LogSeeding(ILogger logger, int count, string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo corpus indexed ({Count} files)")]
    private static partial void LogSeeded(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo corpus: skipped {Name}: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string name, string reason);
}
