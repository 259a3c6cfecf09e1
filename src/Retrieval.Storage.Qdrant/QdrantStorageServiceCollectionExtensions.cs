using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Storage;
using Retrieval.Storage.Qdrant;

namespace Microsoft.Extensions.DependencyInjection;

public static class QdrantStorageServiceCollectionExtensions
{
    /// <summary>
    /// Puts dense and lexical search on Qdrant: registers <see cref="QdrantCollection"/> (from
    /// <see cref="IOptions{QdrantStorageOptions}"/>, bound by the host; vector size from <see cref="IEmbeddingModelInfo"/>),
    /// replaces <see cref="IVectorIndex"/> and <see cref="ILexicalIndex"/> with <see cref="QdrantVectorIndex"/> and
    /// <see cref="QdrantLexicalIndex"/>, adds <see cref="QdrantProjection"/> as an <see cref="IIndexProjection"/> (the
    /// document store stays the source of truth and feeds it), and a hosted service that creates the collection at start.
    /// </summary>
    public static IServiceCollection AddQdrantIndexes(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<QdrantStorageOptions>();
        var alreadyAdded = services.Any(descriptor => descriptor.ServiceType == typeof(QdrantCollection));
        services.TryAddSingleton(provider => new QdrantCollection(
            provider.GetRequiredService<IOptions<QdrantStorageOptions>>().Value,
            () => (provider.GetService<IEmbeddingModelInfo>()
                ?? throw new InvalidOperationException("The Qdrant collection's vector size comes from the embedding model, but no IEmbeddingModelInfo is registered.")).Dimensions,
            provider.GetService<ILogger<QdrantCollection>>()));
        services.TryAddSingleton(provider => new QdrantLexicalIndex(provider.GetRequiredService<QdrantCollection>()));
        services.TryAddSingleton(provider => new QdrantVectorIndex(provider.GetRequiredService<QdrantCollection>(), provider.GetRequiredService<QdrantLexicalIndex>()));
        services.TryAddSingleton(provider => new QdrantProjection(provider.GetRequiredService<QdrantCollection>()));

        services.RemoveAll<IVectorIndex>();
        services.RemoveAll<ILexicalIndex>();
        services.AddSingleton<IVectorIndex>(provider => provider.GetRequiredService<QdrantVectorIndex>());
        services.AddSingleton<ILexicalIndex>(provider => provider.GetRequiredService<QdrantLexicalIndex>());
        if (!alreadyAdded)
        {
            services.AddSingleton<IIndexProjection>(provider => provider.GetRequiredService<QdrantProjection>());
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, QdrantCollectionInitializer>());
        return services;
    }
}
