using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Retrieval.Core.Jobs;
using Retrieval.Core.Storage;
using Retrieval.Storage.Embedded;
using Retrieval.Storage.Neo4j;
using Retrieval.Storage.Postgres;
using Retrieval.Storage.Qdrant;

namespace Retrieval.Hosting;

/// <summary>
/// Chooses the stores. <c>Retrieval:Storage:Type</c> picks the document store, chunk text and job queue:
/// <c>embedded</c> (default: one SQLite file, zero setup) or <c>postgres</c> (for an API and any number of worker
/// processes on several machines; connection in <c>Retrieval:Storage:Postgres:ConnectionString</c>);
/// <c>distributed</c> is <c>postgres</c> with vectors in Qdrant and the graph in Neo4j. Per concern,
/// <c>Retrieval:Storage:Vectors</c> (<c>store</c> = the document store's own index, or <c>qdrant</c>) and
/// <c>Retrieval:Storage:Graph</c> (<c>store</c>, <c>none</c> or <c>neo4j</c>) override what the type implies. With
/// <c>qdrant</c>, both dense and lexical (BM25 sparse vectors) search run on Qdrant (<c>Retrieval:Storage:Qdrant</c>);
/// with <c>neo4j</c>, the graph lives in Neo4j (<c>Retrieval:Storage:Neo4j</c>).
/// Indexes in other engines are <see cref="IIndexProjection"/>s behind a <see cref="ProjectingDocumentStore"/>.
/// </summary>
internal static class StorageRegistration
{
    public const string TypeKey = "Retrieval:Storage:Type";
    public const string VectorsKey = "Retrieval:Storage:Vectors";
    public const string GraphKey = "Retrieval:Storage:Graph";
    public const string JobsSection = "Retrieval:Jobs";

    public static IServiceCollection AddRetrievalStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var type = configuration[TypeKey]?.Trim().ToLowerInvariant();
        var distributed = type == "distributed";
        services.AddOptions<JobQueueOptions>().BindConfiguration(JobsSection);
        switch (type)
        {
            case null or "" or "embedded":
                services.AddEmbeddedStorage();
                break;
            case "postgres" or "postgresql" or "distributed":
                services.AddOptions<PostgresStorageOptions>().BindConfiguration(PostgresStorageOptions.Section).ValidateOnStart();
                services.AddSingleton<IValidateOptions<PostgresStorageOptions>>(new SectionValidator<PostgresStorageOptions>(PostgresStorageOptions.Section));
                services.AddPostgresStorage(listenForJobs: configuration.GetValue(WorkerOptions.Section + ":Enabled", true));
                break;
            default:
                throw Invalid(TypeKey, type, "embedded', 'postgres' or 'distributed");
        }

        var vectors = configuration[VectorsKey]?.Trim().ToLowerInvariant() ?? (distributed ? "qdrant" : "store");
        switch (vectors)
        {
            case "" or "store":
                break;
            case "qdrant":
                services.AddOptions<QdrantStorageOptions>().BindConfiguration(QdrantStorageOptions.Section).ValidateOnStart();
                services.AddSingleton<IValidateOptions<QdrantStorageOptions>>(new SectionValidator<QdrantStorageOptions>(QdrantStorageOptions.Section));
                services.AddQdrantIndexes();
                services.AddHealthChecks().AddCheck<QdrantHealthCheck>("qdrant", tags: ["ready"]);
                break;
            default:
                throw Invalid(VectorsKey, vectors, "store' or 'qdrant");
        }

        var graph = configuration[GraphKey]?.Trim().ToLowerInvariant() ?? (distributed ? "neo4j" : "store");
        switch (graph)
        {
            case "" or "store":
                break;
            case "none":
                services.RemoveAll<Core.Graph.IGraphStore>();
                services.AddSingleton<Core.Graph.IGraphStore, Core.Graph.EmptyGraphStore>();
                break;
            case "neo4j":
                services.AddNeo4jGraph();
                break;
            default:
                throw Invalid(GraphKey, graph, "store', 'none' or 'neo4j");
        }

        return services.AddIndexProjections();
    }

    /// <summary>
    /// When any <see cref="IIndexProjection"/> is registered (decided when the store is first resolved, so projections
    /// registered later count too), every consumer of <see cref="IDocumentStore"/> gets the
    /// <see cref="ProjectingDocumentStore"/> around the engine's store, so no write path can skip a projection.
    /// </summary>
    private static IServiceCollection AddIndexProjections(this IServiceCollection services)
    {
        var store = services.Last(d => d.ServiceType == typeof(IDocumentStore));
        services.Remove(store);
        services.AddSingleton<IDocumentStore>(provider =>
        {
            var inner = (IDocumentStore)(store.ImplementationFactory?.Invoke(provider)
                ?? store.ImplementationInstance
                ?? ActivatorUtilities.CreateInstance(provider, store.ImplementationType!));
            var projections = provider.GetServices<IIndexProjection>().ToList();
            return projections.Count == 0 ? inner : new ProjectingDocumentStore(inner, projections);
        });
        return services;
    }

    private static OptionsValidationException Invalid(string key, string? value, string allowed) =>
        new(key, typeof(string), [$"{key}: '{value}' is not valid; use '{allowed}'."]);
}
