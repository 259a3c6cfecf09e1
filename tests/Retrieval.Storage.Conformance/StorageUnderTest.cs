using Retrieval.Core.Jobs;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Conformance;

/// <summary>
/// A fresh, isolated store for one test: a document store whose writes feed the two indexes (as in production),
/// and a callback that removes everything afterwards.
/// </summary>
public sealed class StorageUnderTest(IDocumentStore store, IVectorIndex vectors, ILexicalIndex lexical, Func<ValueTask> cleanup) : IAsyncDisposable
{
    public IDocumentStore Store { get; } = store;

    public IVectorIndex Vectors { get; } = vectors;

    public ILexicalIndex Lexical { get; } = lexical;

    /// <summary>The backend's graph store, when it keeps the knowledge graph (the graph suite needs it).</summary>
    public Retrieval.Core.Graph.IGraphStore? Graph { get; init; }

    /// <summary>The backend's LLM graph extraction cache, when it keeps one (the cache suite needs it).</summary>
    public Retrieval.Core.Graph.IGraphExtractionCache? ExtractionCache { get; init; }

    public ValueTask DisposeAsync() => cleanup();
}

/// <summary>A fresh, isolated job queue for one test, and a callback that removes it afterwards.</summary>
public sealed class JobQueueUnderTest(IJobQueue queue, Func<ValueTask> cleanup) : IAsyncDisposable
{
    public IJobQueue Queue { get; } = queue;

    public ValueTask DisposeAsync() => cleanup();
}

/// <summary>
/// What the job queue suite asks of a backend's policy: retry delay = BaseBackoff × 2^(attempt−1), no jitter; at most
/// <paramref name="MaxActivePerTenant"/> queued or running jobs per tenant (0: no cap).
/// </summary>
public sealed record JobQueueSettings(int MaxAttempts, TimeSpan BaseBackoff, int MaxActivePerTenant = 0);

/// <summary>Creates the store before each test and disposes it after (xunit makes one instance per test).</summary>
public abstract class StorageConformanceBase : IAsyncLifetime
{
    private StorageUnderTest? storage;

    protected StorageUnderTest Storage => storage ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    protected IDocumentStore Store => Storage.Store;

    protected IVectorIndex Vectors => Storage.Vectors;

    protected ILexicalIndex Lexical => Storage.Lexical;

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>A new, empty, initialized store isolated from every other test.</summary>
    protected abstract Task<StorageUnderTest> CreateStorageAsync();

    public async Task InitializeAsync()
    {
        storage = await CreateStorageAsync();
        await storage.Store.InitializeAsync(Ct);
    }

    public async Task DisposeAsync()
    {
        if (storage is not null)
        {
            await storage.DisposeAsync();
        }
    }

    protected async Task UpsertAsync(params TestDocument[] documents)
    {
        foreach (var document in documents)
        {
            await Store.UpsertAsync(document.Document, document.Chunks, Ct);
        }
    }
}
