using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Retrieval.Core;
using Retrieval.Core.Answering;
using Retrieval.Core.Diagnostics;
using Retrieval.Core.Jobs;
using Retrieval.Core.Options;
using Retrieval.Llm;
using Retrieval.Onnx;
using Retrieval.Storage.Embedded;

namespace Retrieval.Hosting;

/// <summary>The one composition method every host (API, worker, evaluation) uses.</summary>
public static class RetrievalHostingExtensions
{
    /// <summary>
    /// Binds and validates every option section (a bad setting fails start-up naming its path), registers the
    /// embedding model, the stores chosen by configuration, the core pipelines and the ingestion worker.
    /// </summary>
    public static IServiceCollection AddRetrieval(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<StorageOptions>(StorageOptions.Section);
        services.AddValidatedOptions<EmbeddingOptions>(EmbeddingOptions.Section);
        services.AddValidatedOptions<IngestionOptions>(IngestionOptions.Section);
        services.AddValidatedOptions<QueryOptions>(QueryOptions.Section);
        services.AddValidatedOptions<Retrieval.Core.Graph.GraphOptions>(Retrieval.Core.Graph.GraphOptions.Section);
        services.AddValidatedOptions<Retrieval.Core.Graph.GlobalGraphOptions>(Retrieval.Core.Graph.GlobalGraphOptions.Section);
        services.AddValidatedOptions<Retrieval.Core.Graph.GraphLlmOptions>(Retrieval.Core.Graph.GraphLlmOptions.Section);
        services.AddSingleton<IValidateOptions<Retrieval.Core.Graph.GraphOptions>, GraphOptionsValidator>();
        services.AddValidatedOptions<Retrieval.Core.Graph.GraphCacheSweepOptions>(Retrieval.Core.Graph.GraphCacheSweepOptions.Section);
        services.AddSingleton<IValidateOptions<Retrieval.Core.Graph.GraphCacheSweepOptions>, GraphCacheSweepOptionsValidator>();
        services.AddValidatedOptions<WorkerOptions>(WorkerOptions.Section);
        services.AddValidatedOptions<DemoCorpusOptions>(DemoCorpusOptions.Section);
        services.AddValidatedOptions<AuditOptions>(AuditOptions.Section);
        services.AddValidatedOptions<NativeMemoryOptions>(NativeMemoryOptions.Section);
        services.AddSingleton<IValidateOptions<QueryOptions>, QueryOptionsValidator>();
        services.AddSingleton<IValidateOptions<IngestionOptions>, IngestionOptionsValidator>();

        services.AddOnnxEmbeddings();
        services.AddRetrievalStorage(configuration);
        services.AddRetrievalCore();
        services.AddValidatedOptions<AnswerOptions>(AnswerOptions.Section);
        services.AddLlmAnswering(configuration);
        services.AddHostedService<StoreInitializer>();

        if (configuration.GetValue(WorkerOptions.Section + ":Enabled", true))
        {
            services.AddHostedService<IngestionWorker>();
        }

        services.AddHostedService<DemoCorpusSeeder>();

        // With Retrieval:Graph:Extraction=llm (off otherwise): deletes cache rows of text no stored chunk holds.
        services.AddHostedService<Retrieval.Core.Graph.GraphExtractionCacheSweeper>();
        services.AddHostedService<NativeMemoryTrimmer>();
        services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), tags: ["live"])
            .AddCheck<StoreHealthCheck>("store", tags: ["ready"])
            .AddCheck<EmbeddingHealthCheck>("embeddings", tags: ["ready"]);
        return services;
    }

    private static void AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class
    {
        services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new SectionValidator<T>(section));
    }
}
