using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI;
using Polly;
using Retrieval.Core.Answering;

namespace Retrieval.Llm;

public static class LlmServiceCollectionExtensions
{
    /// <summary>The named HttpClient the LLM connector uses (tests swap its primary handler).</summary>
    public const string HttpClientName = "Retrieval.Llm";

    /// <summary>
    /// Binds and validates <c>Retrieval:Llm</c>. When an endpoint is configured, registers the Semantic Kernel chat
    /// completion over a resilient HttpClient and makes <see cref="LlmAnswerGenerator"/> the answer generator;
    /// otherwise the extractive answerer stays the generator.
    /// </summary>
    public static IServiceCollection AddLlmAnswering(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LlmOptions>, LlmOptionsValidator>();
        services.AddAnswerJudge(configuration);
        if (string.IsNullOrWhiteSpace(configuration[LlmOptions.Section + ":Endpoint"]))
        {
            return services;
        }

        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("llm", static (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<LlmOptions>>().Value;
                pipeline
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                        ShouldHandle = options.MaxRetries == 0 ? static _ => ValueTask.FromResult(false) : new HttpRetryStrategyOptions().ShouldHandle,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = options.RetryDelay,
                    })
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        FailureRatio = 0.5,
                        MinimumThroughput = options.BreakAfterFailures,
                        SamplingDuration = options.BreakSamplingDuration,
                        BreakDuration = options.BreakDuration,
                    })
                    .AddTimeout(options.AttemptTimeout);
            });

        services.AddSingleton<IChatCompletionService>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<LlmOptions>>().Value;
            var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName);

            // Polly owns retries and timeouts: the OpenAI client's own retry policy and network timeout are switched off.
            var client = new OpenAIClient(
                new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "none" : options.ApiKey),
                new OpenAIClientOptions
                {
                    Endpoint = new Uri(options.Endpoint!),
                    Transport = new HttpClientPipelineTransport(http),
                    RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                    NetworkTimeout = Timeout.InfiniteTimeSpan,
                });
            return new OpenAIChatCompletionService(options.Model!, client, sp.GetService<ILoggerFactory>());
        });
        services.AddSingleton<IAnswerGenerator, LlmAnswerGenerator>();
        services.AddSingleton<Core.Graph.ICommunitySummarizer, LlmCommunitySummarizer>();

        // Offered next to fast extraction; Retrieval:Graph:Extraction=llm picks it.
        services.AddSingleton<Core.Graph.IGraphExtractor, LlmGraphExtractor>();
        return services;
    }
}
