using Microsoft.Extensions.DependencyInjection;
using Mediator;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Retrieval.Core.Diagnostics;
using Retrieval.Core.Answering;
using Retrieval.Core.Graph;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Parsing;
using Retrieval.Core.Jobs;
using Retrieval.Core.Query;

namespace Retrieval.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// The transport-agnostic pipelines and use-case handlers. Needs an embedding generator and the stores
    /// registered by their own projects; options are bound by the host (Retrieval.Hosting).
    /// </summary>
    public static IServiceCollection AddRetrievalCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddDocumentParsing();
        services.AddOptions<GraphOptions>();
        services.TryAddSingleton<IGraphStore, EmptyGraphStore>();
        services.AddOptions<GraphLlmOptions>();
        services.AddOptions<GraphCacheSweepOptions>();
        services.TryAddSingleton<IGraphExtractionCache, NoGraphExtractionCache>();
        services.AddSingleton<IGraphExtractor, FastGraphExtractorService>();
        services.AddSingleton<GraphExtractionEstimator>();
        services.AddSingleton<EntityNameEmbeddings>();
        services.AddSingleton<GraphRetriever>();
        services.AddSingleton<TopicBridge>();
        services.AddSingleton<HybridSearcher>();
        services.AddOptions<GlobalGraphOptions>();
        services.AddSingleton<ExtractiveCommunitySummarizer>();

        // The community summarizer seam: extractive unless an LLM summarizer is registered (Retrieval.Llm).
        services.TryAddSingleton<ICommunitySummarizer>(sp => sp.GetRequiredService<ExtractiveCommunitySummarizer>());
        services.AddSingleton<CommunitySummaryCache>();
        services.AddSingleton<GlobalGraphRetriever>();
        services.AddSingleton<GlobalGraphAnswerer>();
        services.AddOptions<AnswerOptions>();
        services.AddSingleton<AnswerVerifier>();
        services.AddSingleton<ExtractiveAnswerer>();

        // The answer judge seam: lexical unless Retrieval:Verification:Judge=llm registers the LLM judge (Retrieval.Llm).
        services.TryAddSingleton<IAnswerJudge, LexicalAnswerJudge>();

        // The answer generator seam: the extractive answerer unless an LLM generator is registered (Retrieval.Llm).
        services.TryAddSingleton<IAnswerGenerator>(sp => sp.GetRequiredService<ExtractiveAnswerer>());
        services.AddSingleton<AskService>();
        services.AddSingleton<DocumentIngestor>();
        services.AddSingleton<JobPaths>();
        services.AddSingleton<JobSignal>();
        services.AddMediator(options => options.ServiceLifetime = ServiceLifetime.Singleton);
        services.AddSingleton(typeof(IPipelineBehavior<,>), typeof(AuditBehavior<,>));
        services.AddSingleton(typeof(IStreamPipelineBehavior<,>), typeof(AuditStreamBehavior<,>));
        return services;
    }
}
