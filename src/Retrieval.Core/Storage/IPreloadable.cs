namespace Retrieval.Core.Storage;

/// <summary>
/// Optional capability of a store whose first read loads something into memory (the exact vector index's copy of the
/// vectors, the graph store's in-memory mention table): <see cref="PreloadAsync"/> runs that load now, through the
/// store's own load path, so the first request does not pay for it. It returns nothing read; what it loads is what
/// every later read, each through its caller's ACL filter, would have loaded anyway.
/// </summary>
public interface IPreloadable
{
    Task PreloadAsync(CancellationToken cancellationToken);
}
