using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Retrieval.Core.Jobs;

namespace Retrieval.Hosting.Warmup;

public static class WarmupServiceCollectionExtensions
{
    /// <summary>
    /// Registers the start-up warm-up (<c>Retrieval:Warmup</c>) and its readiness check, after
    /// <see cref="RetrievalHostingExtensions.AddRetrieval"/> (the stores are initialized first). A host that serves
    /// queries (<paramref name="servesQueries"/>) preloads the indexes and runs searches that read nothing; a host that
    /// runs the ingestion worker (<c>Retrieval:Worker:Enabled</c>) embeds synthetic passages.
    /// </summary>
    public static IServiceCollection AddRetrievalWarmup(this IServiceCollection services, IConfiguration configuration, bool servesQueries)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WarmupOptions>().BindConfiguration(WarmupOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WarmupOptions>>(new SectionValidator<WarmupOptions>(WarmupOptions.Section));
        services.AddSingleton<WarmupState>();
        if (servesQueries)
        {
            services.AddSingleton<IWarmupStep, PreloadStep>();
            services.AddSingleton<IWarmupStep, SearchStep>();
        }

        if (configuration.GetValue(WorkerOptions.Section + ":Enabled", true))
        {
            services.AddSingleton<IWarmupStep, PassageEmbeddingStep>();
        }

        services.AddHostedService<StartupWarmup>();
        services.AddHealthChecks().AddCheck<WarmupHealthCheck>("warmup", tags: ["ready"]);
        return services;
    }
}
