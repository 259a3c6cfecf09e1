using Microsoft.Extensions.Diagnostics.HealthChecks;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Storage;

namespace Retrieval.Hosting;

internal sealed class StoreHealthCheck : IHealthCheck
{
    private readonly IDocumentStore _store;

    public StoreHealthCheck(IDocumentStore store) => _store = store;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Counts are deliberately not reported: health is anonymous and must not reveal anything about tenants' data.
            _ = await _store.GetStatisticsAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("store reachable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("store unreachable");
        }
    }
}

/// <summary>Reports the embedding model and the execution provider actually in use (CPU or CUDA).</summary>
internal sealed class EmbeddingHealthCheck : IHealthCheck
{
    private readonly IEmbeddingModelInfo _model;

    public EmbeddingHealthCheck(IEmbeddingModelInfo model) => _model = model;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy("embedding model loaded", new Dictionary<string, object>
        {
            ["model"] = _model.ModelId,
            ["dimensions"] = _model.Dimensions,
            ["executionProvider"] = _model.ExecutionProvider,
        }));
}

/// <summary>Status codes of <c>/health/ready</c> in the API and the worker.</summary>
public static class Readiness
{
    /// <summary>
    /// Degraded is not ready either: a warming process reports Degraded (logged by the health service as a warning, not
    /// an error on every probe) and must still keep traffic away (503).
    /// </summary>
    public static Dictionary<HealthStatus, int> StatusCodes() => new()
    {
        [HealthStatus.Healthy] = Microsoft.AspNetCore.Http.StatusCodes.Status200OK,
        [HealthStatus.Degraded] = Microsoft.AspNetCore.Http.StatusCodes.Status503ServiceUnavailable,
        [HealthStatus.Unhealthy] = Microsoft.AspNetCore.Http.StatusCodes.Status503ServiceUnavailable,
    };
}
