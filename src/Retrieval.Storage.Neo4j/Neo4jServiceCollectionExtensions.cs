using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Retrieval.Core.Graph;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Neo4j;

public static class Neo4jServiceCollectionExtensions
{
    /// <summary>
    /// The knowledge graph in Neo4j: <see cref="Neo4jGraphStore"/> serves graph reads, <see cref="Neo4jGraphProjection"/>
    /// follows the document store's writes, and the uniqueness constraints are created at start-up. Options in
    /// <c>Retrieval:Storage:Neo4j</c>, validated on start.
    /// </summary>
    public static IServiceCollection AddNeo4jGraph(this IServiceCollection services)
    {
        services.AddOptions<Neo4jOptions>().BindConfiguration(Neo4jOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Neo4jOptions>, Neo4jOptionsValidator>());

        // Polly owns timeouts and retries: one timeout per attempt, retries on transient failures only. POST is safe to
        // retry here because every write is an idempotent MERGE/DELETE and reads have no effects.
        services.AddHttpClient(Neo4jQueryClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler("neo4j", static (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<Neo4jOptions>>().Value;
                if (options.MaxRetries > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.MaxRetries,
                        ShouldHandle = Neo4jTransience.ShouldRetryAsync,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = options.RetryDelay,
                    });
                }

                pipeline.AddTimeout(options.AttemptTimeout);
            });

        services.TryAddSingleton<Neo4jQueryClient>();
        services.RemoveAll<IGraphStore>();
        services.AddSingleton<IGraphStore, Neo4jGraphStore>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIndexProjection, Neo4jGraphProjection>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, Neo4jSchemaInitializer>());
        services.AddHealthChecks().AddCheck<Neo4jHealthCheck>("neo4j", tags: ["ready"]);
        return services;
    }
}

/// <summary>Which failures are worth another attempt: the network, overload and Neo4j's own transient errors; never a Cypher error.</summary>
internal static class Neo4jTransience
{
    public static async ValueTask<bool> ShouldRetryAsync(RetryPredicateArguments<HttpResponseMessage> args)
    {
        // Connection failures, attempt timeouts, 408, 429 and 5xx.
        if (HttpClientResiliencePredicates.IsTransient(args.Outcome))
        {
            return true;
        }

        if (args.Outcome.Result is { IsSuccessStatusCode: false } response)
        {
            // Neo.TransientError.* (deadlock, leader switch, out of memory for now) comes with a 4xx and an errors body.
            await response.Content.LoadIntoBufferAsync(args.Context.CancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(args.Context.CancellationToken).ConfigureAwait(false);
            return Neo4jQueryClient.HasTransientError(body);
        }

        return false;
    }
}

/// <summary>Creates the uniqueness constraints (and with them the lookup indexes) before anything reads or writes the graph.</summary>
internal sealed class Neo4jSchemaInitializer : IHostedService
{
    private readonly Neo4jQueryClient _client;

    public Neo4jSchemaInitializer(Neo4jQueryClient client) => _client = client;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var statement in Cypher.Schema)
        {
            await _client.RunAsync(new CypherQuery(statement, new Dictionary<string, object?>()), cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Readiness: Neo4j answers a trivial statement. Reports nothing about the graph (health is anonymous).</summary>
internal sealed class Neo4jHealthCheck : IHealthCheck
{
    private static readonly CypherQuery Ping = new("RETURN 1 AS ok", new Dictionary<string, object?>());
    private readonly Neo4jQueryClient _client;

    public Neo4jHealthCheck(Neo4jQueryClient client) => _client = client;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.RunAsync(Ping, cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("neo4j reachable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("neo4j unreachable");
        }
    }
}
