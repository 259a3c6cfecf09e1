using Microsoft.Extensions.Logging.Abstractions;
using Retrieval.Core.Tests.Answering;
using Retrieval.Core.Graph;

namespace Retrieval.Core.Tests.Graph;

/// <summary>The sweep's loop and its switch; the SQL it drives is in the cache conformance suite (SQLite and PostgreSQL).</summary>
public sealed class GraphExtractionCacheSweeperTests
{
    [Fact]
    public async Task SweepOnceAsync_SeveralBatches_ContinuesAfterEachNextKeyUntilTheEnd()
    {
        var cache = new ScriptedCache(new GraphExtractionCachePurge(2, "k2"), new GraphExtractionCachePurge(0, "k5"), new GraphExtractionCachePurge(1, null));
        var sweeper = Sweeper(cache, GraphOptions.LlmExtraction, new GraphCacheSweepOptions { GracePeriod = TimeSpan.FromMinutes(90), BatchSize = 2 });

        var deleted = await sweeper.SweepOnceAsync(CancellationToken.None);

        Assert.Equal(3, deleted);
        Assert.Equal(["", "k2", "k5"], cache.Calls.Select(c => c.After));
        Assert.All(cache.Calls, c => Assert.Equal((TimeSpan.FromMinutes(90), 2), (c.MinimumAge, c.Limit)));
    }

    [Theory]
    [InlineData(GraphOptions.FastExtraction, true)]
    [InlineData(GraphOptions.NoExtraction, true)]
    [InlineData(GraphOptions.LlmExtraction, false)]
    public async Task Start_WithoutLlmExtractionOrDisabled_NeverTouchesTheCache(string extraction, bool enabled)
    {
        var cache = new ScriptedCache();
        using var sweeper = Sweeper(cache, extraction, new GraphCacheSweepOptions { Enabled = enabled });

        await sweeper.StartAsync(CancellationToken.None);
        await sweeper.ExecuteTask!;
        await sweeper.StopAsync(CancellationToken.None);

        Assert.False(sweeper.Active);
        Assert.Empty(cache.Calls);
    }

    [Fact]
    public async Task Start_WithLlmExtraction_SweepsAtOnceAndStopsCleanly()
    {
        var cache = new ScriptedCache();
        using var sweeper = Sweeper(cache, GraphOptions.LlmExtraction, new GraphCacheSweepOptions { Interval = TimeSpan.FromDays(1) });

        await sweeper.StartAsync(CancellationToken.None);
        await cache.FirstCall.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await sweeper.StopAsync(CancellationToken.None);

        Assert.True(sweeper.Active);
        Assert.Single(cache.Calls);
        Assert.True(sweeper.ExecuteTask!.IsCompleted);
    }

    private static GraphExtractionCacheSweeper Sweeper(ScriptedCache cache, string extraction, GraphCacheSweepOptions options) => new(
        cache,
        new StaticOptionsMonitor<GraphCacheSweepOptions>(options),
        new StaticOptionsMonitor<GraphOptions>(new GraphOptions { Extraction = extraction }),
        NullLogger<GraphExtractionCacheSweeper>.Instance);

    /// <summary>Answers orphan-purge batches from a script (then "nothing left") and records how it was asked.</summary>
    private sealed class ScriptedCache(params GraphExtractionCachePurge[] script) : IGraphExtractionCache
    {
        private readonly Queue<GraphExtractionCachePurge> _script = new(script);

        public List<(TimeSpan MinimumAge, string After, int Limit)> Calls { get; } = [];

        public TaskCompletionSource FirstCall { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<GraphExtractionCachePurge> PurgeOrphansAsync(TimeSpan minimumAge, string afterKey, int limit, CancellationToken cancellationToken)
        {
            Calls.Add((minimumAge, afterKey, limit));
            FirstCall.TrySetResult();
            return Task.FromResult(_script.TryDequeue(out var next) ? next : new GraphExtractionCachePurge(0, null));
        }

        public Task<IReadOnlyDictionary<string, string>> GetAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task PutAsync(string tenant, IReadOnlyCollection<GraphExtractionCacheEntry> entries, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<int> PurgeUnheldAsync(string tenant, IReadOnlyCollection<string> chunkHashes, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
