using Retrieval.Core.Security;

namespace Retrieval.Core.Graph;

/// <summary>
/// Reads of the knowledge graph. Every read is filtered through the supporting chunks: an entity, alias, relation, count
/// or weight exists for a caller only as far as chunks that caller may read support it. The graph is written by the
/// document store, in the same transaction as the chunks (<see cref="Storage.IDocumentStore"/>).
/// </summary>
public interface IGraphStore
{
    /// <summary>False for a store that keeps no graph (extraction is then skipped).</summary>
    bool StoresGraph { get; }

    /// <summary>The extractor that produced the stored graph of a document (ingestion only, no ACL), or null when none did.</summary>
    Task<string?> GetExtractorAsync(string tenant, string documentId, CancellationToken cancellationToken);

    /// <summary>Entities whose normalized name or alias is one of <paramref name="keys"/>, as seen through readable chunks.</summary>
    Task<IReadOnlyList<LinkedEntity>> FindByKeysAsync(AclFilter filter, IReadOnlyCollection<string> keys, CancellationToken cancellationToken);

    /// <summary>Readable entities whose normalized name or alias starts with <paramref name="prefix"/>, most mentioned first.</summary>
    Task<IReadOnlyList<GraphEntity>> SearchAsync(AclFilter filter, string prefix, int limit, CancellationToken cancellationToken);

    /// <summary>An entity with its neighbours and supporting chunks, or null when it does not exist or nothing readable mentions it.</summary>
    Task<EntityDetail?> GetAsync(AclFilter filter, string entityId, int maxNeighbors, int maxChunks, CancellationToken cancellationToken);

    /// <summary>
    /// The permitted entity–chunk subgraph reached from the seed entities <paramref name="seedIds"/> and the seed chunks
    /// <paramref name="seedChunkIds"/> (their entities are expanded like seed entities; unreadable ones are ignored).
    /// </summary>
    Task<EntityChunkGraph> GetSubgraphAsync(
        AclFilter filter, IReadOnlyCollection<string> seedIds, IReadOnlyCollection<string> seedChunkIds, GraphExpansion expansion, CancellationToken cancellationToken);

    /// <summary>
    /// The caller's whole permitted entity graph (global retrieval: communities): entities, mentions and relations from
    /// readable chunks only. A store without a graph returns <see cref="EntityGraph.Empty"/>.
    /// </summary>
    Task<EntityGraph> GetEntityGraphAsync(AclFilter filter, CancellationToken cancellationToken) => Task.FromResult(EntityGraph.Empty);
}

/// <summary>For stores without a graph: nothing is ever found.</summary>
public sealed class EmptyGraphStore : IGraphStore
{
    public bool StoresGraph => false;

    public Task<string?> GetExtractorAsync(string tenant, string documentId, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    public Task<IReadOnlyList<LinkedEntity>> FindByKeysAsync(AclFilter filter, IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<LinkedEntity>>([]);

    public Task<IReadOnlyList<GraphEntity>> SearchAsync(AclFilter filter, string prefix, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<GraphEntity>>([]);

    public Task<EntityDetail?> GetAsync(AclFilter filter, string entityId, int maxNeighbors, int maxChunks, CancellationToken cancellationToken) =>
        Task.FromResult<EntityDetail?>(null);

    public Task<EntityChunkGraph> GetSubgraphAsync(
        AclFilter filter, IReadOnlyCollection<string> seedIds, IReadOnlyCollection<string> seedChunkIds, GraphExpansion expansion, CancellationToken cancellationToken) =>
        Task.FromResult(EntityChunkGraph.Empty);
}
