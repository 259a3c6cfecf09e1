using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Retrieval.Api.Auth;

namespace Retrieval.Api;

/// <summary>Configuration section <c>Retrieval:RateLimits</c>.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Retrieval:RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>Requests per minute one caller (tenant + user) may make; also the burst size.</summary>
    [Range(1, 1_000_000)]
    public int PerUserPerMinute { get; set; } = 600;

    /// <summary>Requests per minute all callers of one tenant together may make.</summary>
    [Range(1, 10_000_000)]
    public int PerTenantPerMinute { get; set; } = 6_000;

    /// <summary>
    /// The most searches, asks and synchronous document ingests the process runs at once, over all callers; 0 means no
    /// limit. Beyond it requests wait in a queue of <see cref="ConcurrencyQueueLimit"/>, and beyond that they get 429.
    /// An overloaded service then answers the requests it admits within the request timeout and turns the rest away
    /// at once, instead of letting every request queue on the CPU until all of them time out with 504.
    /// </summary>
    [Range(0, 100_000)]
    public int MaxConcurrentQueries { get; set; }

    /// <summary>Requests that wait for a slot when <see cref="MaxConcurrentQueries"/> are running (oldest first).</summary>
    [Range(0, 1_000_000)]
    public int ConcurrencyQueueLimit { get; set; } = 16;
}

/// <summary>
/// Per-user and per-tenant token buckets on the v1 API, keyed by the validated token's identity (authentication
/// runs first). Anonymous endpoints (health, metrics, OpenAPI) are not limited. Rejections are 429 ProblemDetails
/// with Retry-After.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddRetrievalRateLimiting(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>, IOptions<AuthOptions>>((limiter, limitOptions, authOptions) =>
        {
            var limits = limitOptions.Value;
            var auth = authOptions.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, auth, limits.Enabled, perTenant: false, limits.PerUserPerMinute)),
                PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, auth, limits.Enabled, perTenant: true, limits.PerTenantPerMinute)),
                PartitionedRateLimiter.Create<HttpContext, string>(context => ConcurrencyPartition(context, limits)));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"Rate limit exceeded (Retrieval:RateLimits). Retry after {seconds} s.",
                    },
                });
            };
        });
        return services;
    }

    /// <summary>One process-wide concurrency limiter for the expensive routes (search, ask, synchronous ingest).</summary>
    private static RateLimitPartition<string> ConcurrencyPartition(HttpContext context, RateLimitOptions limits)
    {
        var path = context.Request.Path;
        if (!limits.Enabled || limits.MaxConcurrentQueries == 0 || !HttpMethods.IsPost(context.Request.Method)
            || !(path.StartsWithSegments("/v1/search") || path.StartsWithSegments("/v1/ask") || path.StartsWithSegments("/v1/documents")))
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }

        return RateLimitPartition.GetConcurrencyLimiter("concurrency", _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = limits.MaxConcurrentQueries,
            QueueLimit = limits.ConcurrencyQueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    private static RateLimitPartition<string> Partition(HttpContext context, AuthOptions auth, bool enabled, bool perTenant, int perMinute)
    {
        if (!enabled || !context.Request.Path.StartsWithSegments("/v1")
            || context.User.Identity?.IsAuthenticated != true
            || !PrincipalFactory.TryCreate(context.User, auth, out var principal, out _))
        {
            return RateLimitPartition.GetNoLimiter(string.Empty);
        }

        var key = perTenant ? "t\u001f" + principal.Tenant : "u\u001f" + principal.Tenant + "\u001f" + principal.UserId;
        return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / perMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }
}
