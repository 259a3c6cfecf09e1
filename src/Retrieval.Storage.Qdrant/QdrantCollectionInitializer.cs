using Microsoft.Extensions.Hosting;

namespace Retrieval.Storage.Qdrant;

/// <summary>Creates the collection and payload indexes at start-up (idempotently), so a wrong endpoint or model fails the start.</summary>
internal sealed class QdrantCollectionInitializer(QdrantCollection collection) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => collection.EnsureCreatedAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
