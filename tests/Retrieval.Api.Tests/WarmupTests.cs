using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Retrieval.Core.Graph;
using Retrieval.Core.Query;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;
using Retrieval.Hosting.Warmup;
using Retrieval.Storage.Embedded;

namespace Retrieval.Api.Tests;

/// <summary>
/// The start-up warm-up and readiness: "warming" (503) while it runs, ready after it, at once when it is off, and ready
/// with a warning when it fails or overruns its budget; its searches read nothing any real caller could read.
/// </summary>
public sealed class WarmupTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Ready_WhileWarmupBlocked_Is503WarmingThen200()
    {
        var step = new BlockingStep();
        using var factory = new WarmupFactory(On(queries: 2), services => services.AddSingleton<IWarmupStep>(step));
        using var client = factory.CreateClient();
        await step.Started.Task.WaitAsync(Bound);

        using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var warming = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var warmingBody = await warming.Content.ReadAsStringAsync();
        step.Release.SetResult();
        var (status, readyBody) = await WaitUntilReadyAsync(client);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, warming.StatusCode);
        Assert.Contains("warming: blocked", warmingBody, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"Degraded\"", warmingBody, StringComparison.Ordinal); // a warning per probe in the log, not an error
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"state\":\"completed\"", readyBody, StringComparison.Ordinal);
        using var metrics = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("retrieval_warmup_duration", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_WarmupDisabled_IsReadyAtOnceAndRunsNoStep()
    {
        var step = new BlockingStep();
        using var factory = new WarmupFactory(new Dictionary<string, string?> { ["Retrieval:Warmup:Enabled"] = "false" }, services => services.AddSingleton<IWarmupStep>(step));
        using var client = factory.CreateClient();

        using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"state\":\"disabled\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(step.Started.Task.IsCompleted);
    }

    [Fact]
    public async Task Ready_WarmupStepThrows_IsReadyAndLogsAWarning()
    {
        var logs = new WarningSink();
        using var factory = new WarmupFactory(On(queries: 0), services =>
        {
            services.AddSingleton<IWarmupStep>(new ThrowingStep());
            services.AddSingleton<ILoggerProvider>(logs);
        });
        using var client = factory.CreateClient();

        var (status, body) = await WaitUntilReadyAsync(client);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"state\":\"failed\"", body, StringComparison.Ordinal);
        Assert.Contains(logs.Warnings, w => w.Contains("Warm-up failed during broken", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ready_WarmupStepIgnoresItsBudget_IsReadyAfterTheTimeoutWithAWarning()
    {
        var logs = new WarningSink();
        var step = new BlockingStep(); // never released, and it ignores cancellation
        var settings = On(queries: 0);
        settings["Retrieval:Warmup:Timeout"] = "00:00:01";
        using var factory = new WarmupFactory(settings, services =>
        {
            services.AddSingleton<IWarmupStep>(step);
            services.AddSingleton<ILoggerProvider>(logs);
        });
        using var client = factory.CreateClient();

        var (status, body) = await WaitUntilReadyAsync(client);
        step.Release.TrySetResult();

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"state\":\"timedout\"", body, StringComparison.Ordinal);
        Assert.Contains(logs.Warnings, w => w.Contains("Warm-up stopped at its 1 s budget during blocked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WarmupSearches_StoreWithPublicDocuments_ReadNothingThroughEveryRetriever()
    {
        var recorder = new FilterRecorder();
        var settings = new Dictionary<string, string?> { ["Retrieval:Warmup:Queries"] = "14" }; // warm-up off at start; the step is run below
        using var factory = new WarmupFactory(settings, services =>
        {
            services.AddSingleton<IVectorIndex>(sp => new RecordingVectorIndex(sp.GetRequiredService<SqliteVectorIndex>(), recorder));
            services.AddSingleton<ILexicalIndex>(sp => new RecordingLexicalIndex(sp.GetRequiredService<SqliteLexicalIndex>(), recorder));
            services.AddSingleton<IGraphStore>(sp => new RecordingGraphStore(sp.GetRequiredService<SqliteGraphStore>(), recorder));
        });
        using var admin = factory.ClientFor("alice", ["eng"]);
        // Public documents made of the warm-up's own vocabulary: any caller of tenant acme finds them with its queries.
        for (var i = 0; i < 3; i++)
        {
            await admin.PostJsonAsync("/v1/documents", new { id = $"public-{i}", text = SyntheticText.Of(240, i), acl = new[] { "public" } }, HttpStatusCode.Created);
        }

        var searcher = factory.Services.GetRequiredService<HybridSearcher>();
        var query = SyntheticText.Of(SyntheticText.QueryWords[2], 2);
        var bob = new Principal("acme", "bob", [], new HashSet<string> { RetrievalRoles.Reader });
        var visible = await searcher.SearchAsync(bob, query, null, RetrievalMode.Hybrid, CancellationToken.None);
        recorder.Clear();

        var step = factory.Services.GetServices<IWarmupStep>().OfType<SearchStep>().Single();
        var done = await step.RunAsync(CancellationToken.None);

        Assert.NotEmpty(visible.Results); // a real principal of the tenant reads these documents with a warm-up query
        Assert.Equal("14 searches", done);
        Assert.Same(AclFilter.Nothing, SearchStep.Filter);
        Assert.Equal(string.Empty, AclFilter.Nothing.Tenant);
        Assert.Empty(AclFilter.Nothing.Principals);
        Assert.Contains(recorder.Calls, c => c.Store == "vectors");
        Assert.Contains(recorder.Calls, c => c.Store == "lexical");
        Assert.All(recorder.Calls, call =>
        {
            Assert.Same(AclFilter.Nothing, call.Filter);
            Assert.Equal(0, call.Results);
        });
    }

    [Fact]
    public void Api_WithInProcessWorker_WarmsTheQueryPathOnly()
    {
        // The API's readiness gates query traffic: the worker's passage embeddings (8 of 9 s measured) are not its business.
        var settings = On(queries: 0);
        settings["Retrieval:Worker:Enabled"] = "true";
        using var factory = new WarmupFactory(settings, _ => { });

        var steps = factory.Services.GetServices<IWarmupStep>().Select(s => s.Name).ToList();

        Assert.Equal(["preload", "searches"], steps);
    }

    private static Dictionary<string, string?> On(int queries) => new()
    {
        ["Retrieval:Warmup:Enabled"] = "true",
        ["Retrieval:Warmup:Queries"] = queries.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Polls readiness until it answers 200 (bounded); returns the last status and body.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> WaitUntilReadyAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
            var body = await ready.Content.ReadAsStringAsync();
            if (ready.StatusCode == HttpStatusCode.OK || DateTime.UtcNow > deadline)
            {
                return (ready.StatusCode, body);
            }

            await Task.Delay(50);
        }
    }

    private sealed class WarmupFactory(Dictionary<string, string?> settings, Action<IServiceCollection> configure)
        : RetrievalApiFactory(settings: settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(configure);
        }
    }

    /// <summary>Waits until released, ignoring cancellation (like a native call that cannot be interrupted).</summary>
    private sealed class BlockingStep : IWarmupStep
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "blocked";

        public async Task<string> RunAsync(CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            await Release.Task;
            return "released";
        }
    }

    private sealed class ThrowingStep : IWarmupStep
    {
        public string Name => "broken";

        public Task<string> RunAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("the model file is unreadable");
    }

    private sealed class WarningSink : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> _warnings = new();

        public IReadOnlyCollection<string> Warnings => _warnings;

        public ILogger CreateLogger(string categoryName) =>
            categoryName == typeof(StartupWarmup).FullName ? this : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning)
            {
                _warnings.Enqueue(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }

    private sealed record FilterCall(string Store, AclFilter Filter, int Results);

    private sealed class FilterRecorder
    {
        private readonly ConcurrentQueue<FilterCall> _calls = new();

        public IReadOnlyCollection<FilterCall> Calls => _calls;

        public void Add(string store, AclFilter filter, int results) => _calls.Enqueue(new FilterCall(store, filter, results));

        public void Clear() => _calls.Clear();
    }

    private sealed class RecordingVectorIndex(IVectorIndex inner, FilterRecorder recorder) : IVectorIndex
    {
        public async Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, ReadOnlyMemory<float> query, int topK, CancellationToken cancellationToken)
        {
            var results = await inner.SearchAsync(filter, query, topK, cancellationToken);
            recorder.Add("vectors", filter, results.Count);
            return results;
        }
    }

    private sealed class RecordingLexicalIndex(ILexicalIndex inner, FilterRecorder recorder) : ILexicalIndex
    {
        public async Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, string query, int topK, CancellationToken cancellationToken)
        {
            var results = await inner.SearchAsync(filter, query, topK, cancellationToken);
            recorder.Add("lexical", filter, results.Count);
            return results;
        }
    }

    private sealed class RecordingGraphStore(IGraphStore inner, FilterRecorder recorder) : IGraphStore
    {
        public bool StoresGraph => inner.StoresGraph;

        public Task<string?> GetExtractorAsync(string tenant, string documentId, CancellationToken cancellationToken) =>
            inner.GetExtractorAsync(tenant, documentId, cancellationToken);

        public async Task<IReadOnlyList<LinkedEntity>> FindByKeysAsync(AclFilter filter, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
        {
            var results = await inner.FindByKeysAsync(filter, keys, cancellationToken);
            recorder.Add("graph", filter, results.Count);
            return results;
        }

        public async Task<IReadOnlyList<GraphEntity>> SearchAsync(AclFilter filter, string prefix, int limit, CancellationToken cancellationToken)
        {
            var results = await inner.SearchAsync(filter, prefix, limit, cancellationToken);
            recorder.Add("graph", filter, results.Count);
            return results;
        }

        public async Task<EntityDetail?> GetAsync(AclFilter filter, string entityId, int maxNeighbors, int maxChunks, CancellationToken cancellationToken)
        {
            var result = await inner.GetAsync(filter, entityId, maxNeighbors, maxChunks, cancellationToken);
            recorder.Add("graph", filter, result is null ? 0 : 1);
            return result;
        }

        public async Task<EntityChunkGraph> GetSubgraphAsync(
            AclFilter filter, IReadOnlyCollection<string> seedIds, IReadOnlyCollection<string> seedChunkIds, GraphExpansion expansion, CancellationToken cancellationToken)
        {
            var result = await inner.GetSubgraphAsync(filter, seedIds, seedChunkIds, expansion, cancellationToken);
            recorder.Add("graph", filter, result.ChunkIds.Count);
            return result;
        }

        public async Task<EntityGraph> GetEntityGraphAsync(AclFilter filter, CancellationToken cancellationToken)
        {
            var result = await inner.GetEntityGraphAsync(filter, cancellationToken);
            recorder.Add("graph", filter, result.Entities.Count);
            return result;
        }
    }
}
