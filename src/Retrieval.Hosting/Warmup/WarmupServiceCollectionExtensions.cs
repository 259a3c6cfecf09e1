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
    /// queries (<paramref name="servesQueries"/>) preloads the indexes and runs searches that read nothing. The standalone
    /// worker embeds synthetic passages; the API does not, even with its in-process worker on, because its readiness
    /// gates query traffic, which a warm ingestion path does not serve (measured: 8 s of a 9 s warm-up).
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

        else if (configuration.GetValue(WorkerOptions.Section + ":Enabled", true))
        {
            services.AddSingleton<IWarmupStep, PassageEmbeddingStep>();
        }

        services.AddHostedService<StartupWarmup>();
        services.AddHealthChecks().AddCheck<WarmupHealthCheck>("warmup", tags: ["ready"]);
        return services;
    }
}
