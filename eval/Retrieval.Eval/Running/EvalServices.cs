using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Jobs;
using Retrieval.Core.Options;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;
using Retrieval.Hosting;

namespace Retrieval.Eval.Running;

/// <summary>
/// The service itself, composed exactly as the API and worker compose it (<c>AddRetrieval</c>), with the background
/// worker and demo seeding switched off and the embedded store in <see cref="StoreDirectory"/>.
/// </summary>
public sealed class EvalServices : IAsyncDisposable
{
    public const string Tenant = "eval";

    /// <summary>Deep enough for recall@100 over documents when a document has several chunks.</summary>
    public const int MaxTopK = 1000;

    private readonly ServiceProvider _provider;
    private readonly IConfigurationRoot _configuration;

    private EvalServices(ServiceProvider provider, IConfigurationRoot configuration, string storeDirectory)
    {
        _provider = provider;
        _configuration = configuration;
        StoreDirectory = storeDirectory;
    }

    /// <summary>A reader of the evaluation tenant: sees the corpus, which is ingested with ACL <c>public</c>.</summary>
    public static Principal Reader { get; } = new(Tenant, "eval-reader", [], new HashSet<string>(StringComparer.Ordinal) { RetrievalRoles.Reader });

    public string StoreDirectory { get; }

    /// <summary>The store folder as reports show it: relative to the working directory when inside it (no machine paths in committed reports).</summary>
    public string StoreDisplayPath
    {
        get
        {
            var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), StoreDirectory);
            return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? StoreDirectory : relative;
        }
    }

    public IServiceProvider Services => _provider;

    public string ModelId => _provider.GetRequiredService<IEmbeddingModelInfo>().ModelId;

    public string ExecutionProvider => _provider.GetRequiredService<IEmbeddingModelInfo>().ExecutionProvider;

    public QueryOptions QueryOptions => _provider.GetRequiredService<IOptionsMonitor<QueryOptions>>().CurrentValue;

    public IngestionOptions IngestionOptions => _provider.GetRequiredService<IOptionsMonitor<IngestionOptions>>().CurrentValue;

    /// <summary>
    /// Builds the services over <paramref name="storeDirectory"/> (created if needed) and initializes the store schema.
    /// <paramref name="model"/> null keeps the service's default model. <paramref name="overrides"/> are configuration
    /// keys such as <c>Retrieval:Query:RrfK</c>.
    /// </summary>
    public static async Task<EvalServices> CreateAsync(
        string storeDirectory, string? model, IReadOnlyDictionary<string, string?>? overrides, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeDirectory);
        Directory.CreateDirectory(storeDirectory);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [StorageOptions.Section + ":DataDirectory"] = Path.GetFullPath(storeDirectory),
            [WorkerOptions.Section + ":Enabled"] = "false",
            [DemoCorpusOptions.Section + ":Enabled"] = "false",
            [QueryOptions.Section + ":MaxTopK"] = MaxTopK.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (!string.IsNullOrWhiteSpace(model))
        {
            settings[EmbeddingOptions.Section + ":Model"] = model;
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Error));
        services.AddRetrieval(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        try
        {
            // Validate every option section up front, as ValidateOnStart would in a host.
            _ = provider.GetRequiredService<IOptions<StorageOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<EmbeddingOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<IngestionOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<QueryOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<Retrieval.Llm.LlmOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<Retrieval.Llm.VerificationOptions>>().Value;
            await provider.GetRequiredService<IDocumentStore>().InitializeAsync(cancellationToken);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }

        return new EvalServices(provider, configuration, storeDirectory);
    }

    /// <summary>Changes query settings (fusion weights, RRF k) for the following searches, as a config reload would.</summary>
    public void SetQueryOptions(double denseWeight, double lexicalWeight, int rrfK)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        _configuration[QueryOptions.Section + ":DenseWeight"] = denseWeight.ToString(inv);
        _configuration[QueryOptions.Section + ":LexicalWeight"] = lexicalWeight.ToString(inv);
        _configuration[QueryOptions.Section + ":RrfK"] = rrfK.ToString(inv);
        _configuration.Reload();
    }

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
