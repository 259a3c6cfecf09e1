using Retrieval.Core.Documents;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;

namespace Retrieval.Core.Storage;

/// <summary>
/// The document store as seen by everything else when indexes live in other engines: writes go to the store (the
/// source of truth) and then to every <see cref="IIndexProjection"/>; reads go to the store. There is no transaction
/// across engines, so the order matters: the store commits first, and a projection that then fails makes the write
/// fail (the job retries it; <see cref="IIndexProjection.IsCurrentAsync"/> stops the retry from being skipped as
/// unchanged). A delete removes from the projections even when the store no longer had the document, so retrying a
/// delete that crashed half-way cleans up.
/// </summary>
public sealed class ProjectingDocumentStore : IDocumentStore
{
    private readonly IDocumentStore _inner;
    private readonly IReadOnlyList<IIndexProjection> _projections;

    public ProjectingDocumentStore(IDocumentStore inner, IEnumerable<IIndexProjection> projections)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(projections);
        _inner = inner;
        _projections = [.. projections];
    }

    public IDocumentStore Inner => _inner;

    public Task InitializeAsync(CancellationToken cancellationToken) => _inner.InitializeAsync(cancellationToken);

    public Task<DocumentRecord?> FindAsync(string tenant, string id, CancellationToken cancellationToken) =>
        _inner.FindAsync(tenant, id, cancellationToken);

    public Task<DocumentRecord?> GetReadableAsync(AclFilter filter, string id, CancellationToken cancellationToken) =>
        _inner.GetReadableAsync(filter, id, cancellationToken);

    public Task UpsertAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken) =>
        UpsertCoreAsync(document, chunks, graph: null, cancellationToken);

    public Task UpsertAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, DocumentGraph graph, CancellationToken cancellationToken) =>
        UpsertCoreAsync(document, chunks, graph, cancellationToken);

    private async Task UpsertCoreAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, DocumentGraph? graph, CancellationToken cancellationToken)
    {
        if (graph is null)
        {
            await _inner.UpsertAsync(document, chunks, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _inner.UpsertAsync(document, chunks, graph, cancellationToken).ConfigureAwait(false);
        }

        foreach (var projection in _projections)
        {
            await projection.ProjectAsync(document, chunks, graph, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<bool> DeleteAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        var deleted = await _inner.DeleteAsync(tenant, id, cancellationToken).ConfigureAwait(false);
        foreach (var projection in _projections)
        {
            await projection.RemoveAsync(tenant, id, cancellationToken).ConfigureAwait(false);
        }

        return deleted;
    }

    /// <summary>True when every projection holds exactly this version of the document.</summary>
    public async Task<bool> ProjectionsCurrentAsync(DocumentRecord document, CancellationToken cancellationToken)
    {
        foreach (var projection in _projections)
        {
            if (!await projection.IsCurrentAsync(document, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    public Task<IReadOnlyList<StoredChunk>> GetChunksAsync(AclFilter filter, IReadOnlyCollection<string> chunkIds, CancellationToken cancellationToken) =>
        _inner.GetChunksAsync(filter, chunkIds, cancellationToken);

    public Task<StoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken) => _inner.GetStatisticsAsync(cancellationToken);

    public Task<IReadOnlyList<string>> GetEmbeddingModelsAsync(CancellationToken cancellationToken) => _inner.GetEmbeddingModelsAsync(cancellationToken);

    public Task<IReadOnlyDictionary<string, float[]>> FindEmbeddingsAsync(string model, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken) =>
        _inner.FindEmbeddingsAsync(model, textHashes, cancellationToken);
}
