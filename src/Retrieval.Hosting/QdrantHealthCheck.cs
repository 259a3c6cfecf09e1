using Microsoft.Extensions.Diagnostics.HealthChecks;
using Retrieval.Storage.Qdrant;

namespace Retrieval.Hosting;

/// <summary>Readiness of Qdrant when it holds the vectors: its own health call over gRPC. Reports nothing about the data.</summary>
internal sealed class QdrantHealthCheck : IHealthCheck
{
    private readonly QdrantCollection _collection;

    public QdrantHealthCheck(QdrantCollection collection) => _collection = collection;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await _collection.PingAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("qdrant reachable");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("qdrant unreachable");
        }
    }
}
