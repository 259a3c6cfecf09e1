using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Retrieval.Core.Documents;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Graph;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Parsing;
using Retrieval.Core.Options;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;
using Retrieval.Llm;

namespace Retrieval.Api.Tests;

/// <summary>
/// An ingest that fails after LLM graph extraction (the text never stored) leaves no cached extraction behind: a store
/// failure deletes it at once; a cancellation or timeout keeps it for the next try, until the sweep's grace period ends.
/// Runs the real ingestor, LLM extractor and SQLite cache of the shared LLM graph host; only the final upsert fails.
/// </summary>
[Collection(LlmGraphCollection.Name)]
public sealed class LlmGraphCacheSweepTests
{
    private readonly LlmGraphCorpus _corpus;

    public LlmGraphCacheSweepTests(LlmGraphCorpus corpus)
    {
        _corpus = corpus;
        _corpus.Llm.Behavior = LlmBehavior.Answer;
        _corpus.Llm.Answer = _ => """{"entities":[{"name":"Nightjar Vault","type":"place"}],"relations":[]}""";
    }

    private IServiceProvider Services => _corpus.Factory.Services;

    private IGraphExtractionCache Cache => Services.GetRequiredService<IGraphExtractionCache>();

    private string Key(string text) => Services.GetServices<IGraphExtractor>().OfType<LlmGraphExtractor>().Single().CacheKey("acme", text);

    private async Task<bool> CachedAsync(string text) => (await Cache.GetAsync([Key(text)], CancellationToken.None)).Count == 1;

    [Fact]
    public async Task Ingest_UpsertFailsAfterExtraction_DeletesThatTextsCachedExtractionAtOnce()
    {
        const string Text = "The combination of the Nightjar Vault was written on a napkin by mistake.";
        using var purged = new PurgedRows();
        var cachedAtUpsert = false;
        var store = new FailingUpsertStore(Services.GetRequiredService<IDocumentStore>(), async () =>
        {
            cachedAtUpsert = await CachedAsync(Text);
            return new IOException("No space left on device.");
        });

        await Assert.ThrowsAsync<IOException>(() => Ingestor(store).IngestAsync("acme", Input("napkin", Text), CancellationToken.None));

        Assert.True(cachedAtUpsert, "extraction cached the chunk before the upsert failed");
        Assert.False(await CachedAsync(Text));
        Assert.True(purged.Of("failed_ingest") >= 1);
    }

    [Fact]
    public async Task Ingest_UpsertFailsButAnotherDocumentHoldsTheText_KeepsItsCachedExtraction()
    {
        const string Text = "The Nightjar Vault opens only at dawn, says the stored notice.";
        await _corpus.Admin.PostJsonAsync("/v1/documents", new { id = "vault-notice", title = "Notice", text = Text, acl = new[] { "public" } }, HttpStatusCode.Created);
        var store = new FailingUpsertStore(Services.GetRequiredService<IDocumentStore>(), () => Task.FromResult<Exception>(new IOException("No space left on device.")));

        await Assert.ThrowsAsync<IOException>(() => Ingestor(store).IngestAsync("acme", Input("vault-copy", Text), CancellationToken.None));

        Assert.True(await CachedAsync(Text));
    }

    [Fact]
    public async Task Ingest_CancelledAfterExtraction_KeepsCachedExtractionUntilTheSweepPassesItsGracePeriod()
    {
        const string Text = "The Nightjar Vault ledger lists every visitor since 1911.";
        using var cancel = new CancellationTokenSource();
        var store = new FailingUpsertStore(Services.GetRequiredService<IDocumentStore>(), async () =>
        {
            await cancel.CancelAsync(); // the job is cancelled while the document is being stored
            return new OperationCanceledException(cancel.Token);
        });
        using var purged = new PurgedRows();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Ingestor(store).IngestAsync("acme", Input("ledger", Text), cancel.Token));

        Assert.True(await CachedAsync(Text)); // kept: a next try resumes from it
        Assert.Equal(0, await Sweeper(TimeSpan.FromHours(1)).SweepOnceAsync(CancellationToken.None));
        Assert.True(await CachedAsync(Text)); // inside the grace period

        Assert.True(await Sweeper(TimeSpan.Zero).SweepOnceAsync(CancellationToken.None) >= 1);

        Assert.False(await CachedAsync(Text));
        Assert.True(purged.Of("sweep") >= 1);
        Assert.True(await CachedAsync("Warm-up text."), "the stored warm-up document's text keeps its row");
    }

    [Fact]
    public void Sweeper_HostWithLlmExtraction_IsRegisteredAndActive()
    {
        var sweeper = Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<GraphExtractionCacheSweeper>().Single();

        Assert.True(sweeper.Active);
    }

    private DocumentIngestor Ingestor(IDocumentStore store) => new(
        Services.GetRequiredService<DocumentParsers>(),
        Services.GetRequiredService<ITextTokenizer>(),
        Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
        Services.GetRequiredService<IEmbeddingModelInfo>(),
        store,
        Services.GetRequiredService<IGraphStore>(),
        Services.GetRequiredService<GraphExtractionEstimator>(),
        Services.GetRequiredService<IOptionsMonitor<IngestionOptions>>(),
        TimeProvider.System,
        NullLogger<DocumentIngestor>.Instance);

    private GraphExtractionCacheSweeper Sweeper(TimeSpan gracePeriod) => new(
        Cache,
        new FixedOptions<GraphCacheSweepOptions>(new GraphCacheSweepOptions { GracePeriod = gracePeriod, BatchSize = 2 }),
        Services.GetRequiredService<IOptionsMonitor<GraphOptions>>(),
        NullLogger<GraphExtractionCacheSweeper>.Instance);

    private static DocumentInput Input(string id, string text) =>
        new(id, id, "Note " + id, Encoding.UTF8.GetBytes(text), "text/plain", [AclEntry.Public], new Dictionary<string, string>());

    private sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }

    /// <summary>Rows counted by <c>retrieval.graph.llm.cache.purged</c>, by reason, while it lives.</summary>
    private sealed class PurgedRows : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _byReason = new(StringComparer.Ordinal);

        public PurgedRows()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Retrieval" && instrument.Name == "retrieval.graph.llm.cache.purged")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "reason" && tag.Value is string reason)
                    {
                        lock (_byReason)
                        {
                            _byReason[reason] = _byReason.GetValueOrDefault(reason) + value;
                        }
                    }
                }
            });
            _listener.Start();
        }

        public long Of(string reason)
        {
            lock (_byReason)
            {
                return _byReason.GetValueOrDefault(reason);
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>The real store, except that storing a document with its graph fails (a full disk, a cancelled job).</summary>
    private sealed class FailingUpsertStore(IDocumentStore inner, Func<Task<Exception>> failure) : IDocumentStore
    {
        public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

        public Task<DocumentRecord?> FindAsync(string tenant, string id, CancellationToken cancellationToken) => inner.FindAsync(tenant, id, cancellationToken);

        public Task<DocumentRecord?> GetReadableAsync(AclFilter filter, string id, CancellationToken cancellationToken) => inner.GetReadableAsync(filter, id, cancellationToken);

        public async Task UpsertAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken) => throw await failure();

        public async Task UpsertAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, DocumentGraph graph, CancellationToken cancellationToken) =>
            throw await failure();

        public Task<bool> DeleteAsync(string tenant, string id, CancellationToken cancellationToken) => inner.DeleteAsync(tenant, id, cancellationToken);

        public Task<IReadOnlyList<StoredChunk>> GetChunksAsync(AclFilter filter, IReadOnlyCollection<string> chunkIds, CancellationToken cancellationToken) =>
            inner.GetChunksAsync(filter, chunkIds, cancellationToken);

        public Task<StoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken) => inner.GetStatisticsAsync(cancellationToken);

        public Task<IReadOnlyList<string>> GetEmbeddingModelsAsync(CancellationToken cancellationToken) => inner.GetEmbeddingModelsAsync(cancellationToken);

        public Task<IReadOnlyDictionary<string, float[]>> FindEmbeddingsAsync(string model, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken) =>
            inner.FindEmbeddingsAsync(model, textHashes, cancellationToken);
    }
}
