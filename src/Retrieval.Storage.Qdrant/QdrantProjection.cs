using Retrieval.Core.Documents;
using Retrieval.Core.Graph;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Qdrant;

/// <summary>
/// Keeps the Qdrant collection in step with the document store (<see cref="IIndexProjection"/>): a document's chunks
/// become points keyed by <see cref="QdrantPointIds"/>, so re-projecting overwrites. A projection upserts the new
/// version's points (waiting until Qdrant has applied them) and only then deletes the document's points of any other
/// version, so a search never finds the document missing; between the two steps both versions may match, and the
/// document store's hydration (which serves only the current version's chunks) drops the old ones.
/// </summary>
public sealed class QdrantProjection : IIndexProjection
{
    private readonly QdrantCollection collection;

    public QdrantProjection(QdrantCollection collection) =>
        this.collection = collection ?? throw new ArgumentNullException(nameof(collection));

    public string Name => "qdrant";

    public async Task<bool> IsCurrentAsync(DocumentRecord document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        await collection.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        return await collection.CallAsync("projection check", async () =>
        {
            var client = collection.Client;
            var all = await client.CountAsync(collection.Name, QdrantFilters.ForDocument(document.Tenant, document.Id), exact: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (all != (ulong)document.ChunkCount)
            {
                return false;
            }

            var current = await client.CountAsync(collection.Name, QdrantFilters.ForVersion(document.Tenant, document.Id, document.Version), exact: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            return current == all;
        }).ConfigureAwait(false);
    }

    public async Task ProjectAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, DocumentGraph? graph, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(chunks);
        await collection.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        var dimensions = collection.Dimensions;
        var points = chunks.Select(chunk => QdrantRequests.Point(document, chunk, collection.Encoder, dimensions)).ToList();
        await collection.CallAsync("projection write", async () =>
        {
            foreach (var batch in points.Chunk(collection.Options.UpsertBatchSize))
            {
                await collection.Client.UpsertAsync(collection.Name, batch, wait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await collection.Client.DeleteAsync(
                collection.Name, QdrantFilters.ForOtherVersions(document.Tenant, document.Id, document.Version), wait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    public async Task RemoveAsync(string tenant, string documentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        await collection.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        await collection.CallAsync("projection delete", () =>
            collection.Client.DeleteAsync(collection.Name, QdrantFilters.ForDocument(tenant, documentId), wait: true, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
