using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Graph;
using Retrieval.Core.Jobs;
using Retrieval.Core.Options;
using Retrieval.Core.Storage;
using Retrieval.Storage.Embedded;

namespace Microsoft.Extensions.DependencyInjection;

public static class EmbeddedStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the single-file SQLite store as singletons: <see cref="EmbeddedDatabase"/> (from
    /// <see cref="IOptions{StorageOptions}"/>), <see cref="IDocumentStore"/>, <see cref="IVectorIndex"/>,
    /// <see cref="ILexicalIndex"/> and <see cref="IJobQueue"/>. Needs <c>IOptions&lt;StorageOptions&gt;</c>; uses
    /// <see cref="TimeProvider"/> (System unless registered) and <c>IOptions&lt;JobQueueOptions&gt;</c> (defaults).
    /// The document store asks for <see cref="IEmbeddingModelInfo"/> only when it first stores embeddings, to tag them
    /// with the model id.
    /// </summary>
    public static IServiceCollection AddEmbeddedStorage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<StorageOptions>();
        services.AddOptions<JobQueueOptions>();
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(provider => new EmbeddedDatabase(provider.GetRequiredService<IOptions<StorageOptions>>()));
        services.TryAddSingleton(provider => new SqliteDocumentStore(
            provider.GetRequiredService<EmbeddedDatabase>(),
            () => (provider.GetService<IEmbeddingModelInfo>()
                ?? throw new InvalidOperationException(
                    "Storing embeddings needs the embedding model's id, but no IEmbeddingModelInfo is registered.")).ModelId));
        services.TryAddSingleton(provider => new SqliteVectorIndex(provider.GetRequiredService<EmbeddedDatabase>()));
        services.TryAddSingleton(provider => new SqliteLexicalIndex(provider.GetRequiredService<EmbeddedDatabase>()));
        services.TryAddSingleton(provider => new SqliteGraphStore(
            provider.GetRequiredService<EmbeddedDatabase>(),
            provider.GetService<IOptionsMonitor<GraphOptions>>(),
            provider.GetService<ILogger<SqliteGraphStore>>(),
            provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(provider => new SqliteJobQueue(
            provider.GetRequiredService<EmbeddedDatabase>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<JobQueueOptions>>().Value));

        services.TryAddSingleton<IDocumentStore>(provider => provider.GetRequiredService<SqliteDocumentStore>());
        services.TryAddSingleton<IVectorIndex>(provider => provider.GetRequiredService<SqliteVectorIndex>());
        services.TryAddSingleton<ILexicalIndex>(provider => provider.GetRequiredService<SqliteLexicalIndex>());
        services.TryAddSingleton<IGraphStore>(provider => provider.GetRequiredService<SqliteGraphStore>());
        services.TryAddSingleton<IJobQueue>(provider => provider.GetRequiredService<SqliteJobQueue>());
        services.TryAddSingleton<IGraphExtractionCache>(provider => new SqliteGraphExtractionCache(provider.GetRequiredService<EmbeddedDatabase>()));
        return services;
    }
}
