using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Jobs;
using Retrieval.Core.Storage;
using Retrieval.Storage.Postgres;

namespace Microsoft.Extensions.DependencyInjection;

public static class PostgresStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the PostgreSQL store as singletons: <see cref="PostgresDatabase"/> (from
    /// <see cref="IOptions{PostgresStorageOptions}"/>, bound by the host), <see cref="IDocumentStore"/>,
    /// <see cref="IVectorIndex"/> (in-memory exact scan fed from PostgreSQL), <see cref="ILexicalIndex"/> (full-text
    /// search), <see cref="IJobQueue"/>, and, with <paramref name="listenForJobs"/> (processes that run the ingestion
    /// worker), the <see cref="PostgresJobListener"/> that wakes idle workers. Uses <see cref="TimeProvider"/> (System
    /// unless registered) and <c>IOptions&lt;JobQueueOptions&gt;</c>.
    /// </summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services, bool listenForJobs = true)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<PostgresStorageOptions>();
        services.AddOptions<JobQueueOptions>();
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<PostgresStorageOptions>>().Value;
            return new PostgresDatabase(options.ConnectionString, options.Schema);
        });
        services.TryAddSingleton(provider => new PostgresDocumentStore(
            provider.GetRequiredService<PostgresDatabase>(),
            () => (provider.GetService<IEmbeddingModelInfo>()
                ?? throw new InvalidOperationException(
                    "Storing embeddings needs the embedding model's id, but no IEmbeddingModelInfo is registered.")).ModelId));
        services.TryAddSingleton(provider => new PostgresVectorIndex(provider.GetRequiredService<PostgresDatabase>()));
        services.TryAddSingleton(provider => new PostgresLexicalIndex(provider.GetRequiredService<PostgresDatabase>()));
        services.TryAddSingleton(provider => new PostgresJobQueue(
            provider.GetRequiredService<PostgresDatabase>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<JobQueueOptions>>().Value));

        services.TryAddSingleton<IDocumentStore>(provider => provider.GetRequiredService<PostgresDocumentStore>());
        services.TryAddSingleton<IVectorIndex>(provider => provider.GetRequiredService<PostgresVectorIndex>());
        services.TryAddSingleton<ILexicalIndex>(provider => provider.GetRequiredService<PostgresLexicalIndex>());
        services.TryAddSingleton<IJobQueue>(provider => provider.GetRequiredService<PostgresJobQueue>());
        services.TryAddSingleton<Retrieval.Core.Graph.IGraphExtractionCache>(provider => new PostgresGraphExtractionCache(provider.GetRequiredService<PostgresDatabase>()));
        if (listenForJobs)
        {
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgresJobListener>());
        }

        return services;
    }
}
