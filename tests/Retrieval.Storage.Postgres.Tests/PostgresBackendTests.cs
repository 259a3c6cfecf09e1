using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Retrieval.Core.Jobs;
using Retrieval.Storage.Conformance;

namespace Retrieval.Storage.Postgres.Tests;

/// <summary>What only the PostgreSQL backend promises: safe concurrent migrations, SKIP LOCKED claims, NOTIFY wake-ups, ordered commits.</summary>
public sealed class PostgresBackendTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private readonly string schema = TestPostgres.NewSchemaName();
    private readonly List<PostgresDatabase> databases = [];

    private static CancellationToken Ct => CancellationToken.None;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in databases)
        {
            await database.DisposeAsync();
        }

        await TestPostgres.DropSchemaAsync(schema);
    }

    [Fact]
    public async Task Initialize_ManyProcessesAtOnce_AppliesEachMigrationOnce()
    {
        var starts = Enumerable.Range(0, 6).Select(_ => Task.Run(() => NewDatabase().InitializeAsync(Ct))).ToList();

        await Task.WhenAll(starts);
        await NewDatabase().InitializeAsync(Ct);

        Assert.Equal((long)PostgresSchema.LatestVersion, await TestPostgres.ScalarAsync<long>(schema, "SELECT COUNT(*) FROM schema_version;"));
        Assert.Equal(PostgresSchema.LatestVersion, await TestPostgres.ScalarAsync<int>(schema, "SELECT MAX(version) FROM schema_version;"));
    }

    [Fact]
    public async Task Claim_ManyWorkersAtOnce_EveryJobClaimedByExactlyOne()
    {
        var queue = new PostgresJobQueue(NewDatabase());
        var submitted = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            submitted.Add(await queue.EnqueueAsync(Submission($"item-{i}"), Ct));
        }

        // Eight workers, each with its own connection pool, as if on eight machines.
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var workerQueue = new PostgresJobQueue(NewDatabase());
            var claimed = new List<string>();
            while (await workerQueue.ClaimAsync($"worker-{w}", Lease, Ct) is { } lease)
            {
                claimed.Add(lease.JobId);
            }

            return claimed;
        })).ToList();
        var claims = (await Task.WhenAll(workers)).SelectMany(c => c).ToList();

        Assert.Equal(submitted.Order(), claims.Order());
    }

    [Fact]
    public async Task Enqueue_SendsNotificationOnTheJobChannel()
    {
        var database = NewDatabase();
        var queue = new PostgresJobQueue(database);
        await queue.InitializeAsync(Ct);
        await using var listener = new NpgsqlConnection(TestPostgres.ConnectionString);
        await listener.OpenAsync(Ct);
        var channels = new List<string>();
        listener.Notification += (_, e) => channels.Add(e.Channel);
        await using (var listen = new NpgsqlCommand($"LISTEN \"{database.JobChannel}\";", listener))
        {
            await listen.ExecuteNonQueryAsync(Ct);
        }

        await queue.EnqueueAsync(Submission("a"), Ct);

        Assert.True(await listener.WaitAsync(TimeSpan.FromSeconds(30), Ct), "no notification arrived");
        Assert.Equal([database.JobChannel], channels);
    }

    [Fact]
    public async Task Listener_JobEnqueuedElsewhere_WakesTheIdleWorkerSignal()
    {
        var database = NewDatabase();
        using var signal = new JobSignal();
        using var listener = new PostgresJobListener(database, signal, NullLogger<PostgresJobListener>.Instance);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await listener.StartAsync(Ct);
        try
        {
            // The listener signals once when it starts listening; after that only a notification can wake the signal.
            await signal.WaitAsync(Timeout.InfiniteTimeSpan, timeout.Token);

            await new PostgresJobQueue(NewDatabase()).EnqueueAsync(Submission("a"), Ct);

            await signal.WaitAsync(Timeout.InfiniteTimeSpan, timeout.Token); // throws if nothing woke it within a minute
        }
        finally
        {
            await listener.StopAsync(Ct);
        }
    }

    [Fact]
    public async Task Upsert_ConcurrentWritersInSeveralProcesses_VectorIndexElsewhereSeesEveryCommittedChunk()
    {
        var reader = new PostgresVectorIndex(NewDatabase());
        var filter = TestData.Reader(AclCorpus.Tenant, "alice", "eng");
        var probe = TestData.Embed("probe");
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var store = new PostgresDocumentStore(NewDatabase(), TestData.ModelId);
            for (var i = 0; i < 15; i++)
            {
                var document = TestData.Document(AclCorpus.Tenant, $"w{w}-d{i}", [i % 2 == 0 ? "public" : "group:eng"], [$"writer {w} document {i}", $"second chunk {w} {i}"]);
                await store.UpsertAsync(document.Document, document.Chunks, Ct);
            }
        })).ToList();
        var searches = Task.Run(async () =>
        {
            while (!writers.All(w => w.IsCompleted))
            {
                _ = await reader.SearchAsync(filter, probe, 5, Ct); // catches up while commits land
            }
        });
        await Task.WhenAll(writers);
        await searches;

        var all = await reader.SearchAsync(filter, probe, 1000, Ct);

        Assert.Equal(4 * 15 * 2, all.Count);
        Assert.Equal(all.Count, all.Select(r => r.ChunkId).Distinct().Count());
    }

    [Theory]
    [InlineData("walrus OR \"penguin\" -seal", "walrus or penguin or seal")]
    [InlineData("text:walrus & (notes | x) <-> y!", "text or walrus or notes or x or y")]
    [InlineData("Walrus walrus WALRUS", "walrus")]
    [InlineData("?!.,", null)]
    [InlineData("or OR", null)]
    public void WebSearchText_KeepsOnlyWords_JoinedWithOr(string query, string? expected)
    {
        Assert.Equal(expected, PostgresLexicalIndex.ToWebSearchText(query));
    }

    private PostgresDatabase NewDatabase()
    {
        var database = new PostgresDatabase(TestPostgres.ConnectionString, schema);
        lock (databases)
        {
            databases.Add(database);
        }

        return database;
    }

    private static JobSubmission Submission(string source) => new(
        "t1", "alice", ["public"], [new JobItem(source, null, "body"u8.ToArray(), "text/plain")], new Dictionary<string, string>(StringComparer.Ordinal));
}
