using Retrieval.Core.Graph;
using Retrieval.Core.Storage;

namespace Retrieval.Hosting.Warmup;

/// <summary>
/// Loads the indexes that load on first use (<see cref="IPreloadable"/>: the exact vector index's in-memory copy, the
/// embedded graph store's in-memory mention table) through their own load paths; nothing read is returned.
/// </summary>
internal sealed class PreloadStep(IVectorIndex vectors, ILexicalIndex lexical, IGraphStore graph) : IWarmupStep
{
    public string Name => "preload";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var loaded = new List<string>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var (name, store) in new (string, object)[] { ("vectors", vectors), ("lexical", lexical), ("graph", graph) })
        {
            if (store is IPreloadable preloadable && seen.Add(store))
            {
                await preloadable.PreloadAsync(cancellationToken).ConfigureAwait(false);
                loaded.Add(name);
            }
        }

        return loaded.Count == 0 ? "nothing to load" : $"loaded {string.Join(", ", loaded)}";
    }
}
