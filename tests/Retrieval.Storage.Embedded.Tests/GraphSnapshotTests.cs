using Microsoft.Extensions.Time.Testing;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;
using Retrieval.Storage.Conformance;

namespace Retrieval.Storage.Embedded.Tests;

/// <summary>
/// The in-memory copy behind <see cref="SqliteGraphStore.GetSubgraphAsync"/> and its SQL fallback: both expand exactly as
/// the former SQL read (the oracle), for any caller, seeds and bounds; the copy is reused while nothing is written; after
/// any write (by this store or another process) reads answer in SQL until one background reload installs a copy that
/// matches the store; a stale copy is never used; and one copy serves callers with different rights without mixing them.
/// </summary>
public sealed class GraphSnapshotTests : IDisposable
{
    private const string Tenant = "acme";
    private const string OtherTenant = "globex";

    private static readonly string[] Names =
    [
        "Acme Robotics", "Lisbon Harbour", "Grace Hopper", "Zanzibar Quokka Foundation", "Ada Lovelace", "Charles Babbage",
        "Luigi Menabrea", "Orbital Dynamics", "Baltic Shipping Company", "Marie Curie", "Pierre Curie", "Nobel Committee",
    ];

    private static readonly string[][] Acls =
    [
        [AclEntry.Public], [AclEntry.Group("g0")], [AclEntry.Group("g1")], [AclEntry.User("u1")], [AclEntry.Group("g0"), AclEntry.User("u2")],
    ];

    private static readonly AclFilter Alice = TestData.Reader(Tenant, "alice", "eng");
    private static readonly AclFilter Carol = TestData.Reader(Tenant, "carol", "hr");

    private readonly TempDirectory directory = new();
    private readonly EmbeddedDatabase database;
    private readonly SqliteDocumentStore store;
    private readonly SqliteGraphStore graph;
    private readonly FakeTimeProvider clock = new();

    public GraphSnapshotTests()
    {
        database = new EmbeddedDatabase(directory.DatabasePath);
        store = new SqliteDocumentStore(database, TestData.ModelId);
        graph = new SqliteGraphStore(database, timeProvider: clock); // reloads take no time unless a test says so
    }

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose()
    {
        graph.Dispose();
        database.Dispose();
        directory.Dispose();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Expand_RandomWorldsCallersAndBounds_MatchesTheSqlReadExactly(int seed)
    {
        await store.InitializeAsync(Ct);
        var random = new Random(seed);
        var documents = new List<(string Tenant, string Id)>();
        for (var d = 0; d < 30; d++)
        {
            var tenant = random.Next(10) < 8 ? Tenant : OtherTenant;
            var id = "doc" + d;
            await UpsertAsync(tenant, id, Acls[random.Next(Acls.Length)], 1, RandomTexts(random));
            documents.Add((tenant, id));
        }

        // Writes after the first ones: ACL changes, new text, deletions (entities lose support, deletion log grows).
        for (var change = 0; change < 8; change++)
        {
            var (tenant, id) = documents[random.Next(documents.Count)];
            if (random.Next(3) == 0)
            {
                await store.DeleteAsync(tenant, id, Ct);
            }
            else
            {
                await UpsertAsync(tenant, id, Acls[random.Next(Acls.Length)], 2 + change, RandomTexts(random));
            }
        }

        var snapshot = await graph.GetSnapshotAsync(Ct);
        using var sqlOnly = new SqliteGraphStore(database, Settings(inMemory: false));
        var nonEmpty = 0;
        var capped = 0;
        for (var run = 0; run < 80; run++)
        {
            var tenant = random.Next(5) == 0 ? OtherTenant : Tenant;
            string[] groups = [.. new[] { "g0", "g1", "eng" }.Where(_ => random.Next(2) == 0)];
            var filter = TestData.Reader(tenant, random.Next(3) == 0 ? "u1" : random.Next(2) == 0 ? "u2" : "zed", groups);
            var seedIds = Enumerable.Range(0, random.Next(0, 4))
                .Select(_ => random.Next(8) == 0 ? "0000000000000000" : snapshot.EntityPublicIds[random.Next(snapshot.EntityCount)])
                .ToList();
            var seedChunkIds = Enumerable.Range(0, random.Next(0, 3)).Select(_ => snapshot.ChunkIds[random.Next(snapshot.ChunkCount)]).ToList();
            var expansion = new GraphExpansion(random.Next(1, 4), random.Next(1, 6), random.Next(1, 30));

            var expected = await sqlOnly.GetSubgraphAsync(filter, seedIds, seedChunkIds, expansion, Ct);
            var actual = await graph.GetSubgraphAsync(filter, seedIds, seedChunkIds, expansion, Ct);

            AssertSame(expected, actual);
            nonEmpty += expected.ChunkIds.Count > 0 ? 1 : 0;
            capped += expected.ChunkIds.Count == expansion.MaxChunks ? 1 : 0;
        }

        // The cases must exercise the expansion, including its bounds, not only empty subgraphs.
        Assert.InRange(nonEmpty, 20, 80);
        Assert.InRange(capped, 5, 80);
        Assert.Equal(1, graph.SnapshotLoads);
        Assert.Equal(0, graph.SqlReads);
        Assert.Equal(80, sqlOnly.SqlReads);
        Assert.Equal(0, sqlOnly.SnapshotLoads);
    }

    [Fact]
    public void Summarize_RandomMentionLists_MatchesTheGroupingRule()
    {
        var random = new Random(7);
        string[] names = ["Ab", "AB", "Abc", "abc", "B", "Ab"];
        string?[] types = [null, "person", "place", "organization", null];
        for (var run = 0; run < 2_000; run++)
        {
            var mentions = Enumerable.Range(0, random.Next(1, 6))
                .Select(_ => (Name: names[random.Next(names.Length)], Type: types[random.Next(types.Length)], Count: random.Next(1, 4)))
                .ToList();
            var chunks = random.Next(1, 10);

            var expected = EntitySummaryOracle.Summarize("id", mentions, chunks);

            Assert.Equal(expected, SqliteGraphStore.Summarize("id", mentions, chunks));
        }
    }

    [Fact]
    public async Task GetSubgraph_NoCopyYet_AnswersInSqlThenUsesTheCopyLoadedOnceInTheBackground()
    {
        await store.InitializeAsync(Ct);
        await UpsertAsync(Tenant, "doc", [AclEntry.Public], 1, ["Acme Robotics hired Grace Hopper in Lisbon Harbour."]);
        var acme = await SeedAsync(Alice, "Acme Robotics");

        var first = await graph.GetSubgraphAsync(Alice, [acme], [], new GraphExpansion(2, 10, 100), Ct);
        Assert.Equal(1, graph.SqlReads);
        await graph.WaitForReloadAsync();
        var second = await graph.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct);
        var third = await graph.GetSubgraphAsync(Alice, [acme], [], new GraphExpansion(2, 10, 100), Ct);

        Assert.Single(first.ChunkIds);
        AssertSame(first, second);
        AssertSame(first, third);
        Assert.Equal(1, graph.SqlReads);
        Assert.Equal(1, graph.ReloadsStarted);
        Assert.Equal(1, graph.SnapshotLoads);
    }

    [Fact]
    public async Task Preload_FreshStore_InstallsTheCopySoTheFirstReadUsesIt()
    {
        await store.InitializeAsync(Ct);
        await UpsertAsync(Tenant, "doc", [AclEntry.Public], 1, ["Acme Robotics hired Grace Hopper in Lisbon Harbour."]);
        var acme = await SeedAsync(Alice, "Acme Robotics");

        await graph.PreloadAsync(Ct);
        await graph.PreloadAsync(Ct); // current already: no second load
        var first = await graph.GetSubgraphAsync(Alice, [acme], [], new GraphExpansion(2, 10, 100), Ct);

        Assert.Single(first.ChunkIds);
        Assert.Equal(1, graph.SnapshotLoads);
        Assert.Equal(1, graph.ReloadsStarted);
        Assert.Equal(0, graph.SqlReads);
    }

    [Fact]
    public async Task Preload_InMemorySubgraphOff_LoadsNothing()
    {
        await store.InitializeAsync(Ct);
        await UpsertAsync(Tenant, "doc", [AclEntry.Public], 1, ["Acme Robotics hired Grace Hopper in Lisbon Harbour."]);
        using var sqlOnly = new SqliteGraphStore(database, Settings(inMemory: false));

        await sqlOnly.PreloadAsync(Ct);

        Assert.Equal(0, sqlOnly.SnapshotLoads);
        Assert.Equal(0, sqlOnly.ReloadsStarted);
    }

    [Fact]
    public async Task GetSubgraph_AfterAclChangeAndDelete_HidesTheChunksOnTheVeryNextRead()
    {
        await store.InitializeAsync(Ct);
        await UpsertAsync(Tenant, "doc", [AclEntry.Public], 1, ["Acme Robotics hired Grace Hopper in Lisbon Harbour."]);
        await UpsertAsync(Tenant, "other", [AclEntry.Public], 1, ["Acme Robotics moved to Orbital Dynamics Park."]);
        var acme = await SeedAsync(Carol, "Acme Robotics");
        await graph.GetSnapshotAsync(Ct);
        Assert.Equal(2, (await graph.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct)).ChunkIds.Count);

        await UpsertAsync(Tenant, "doc", [AclEntry.Group("eng")], 2, ["Acme Robotics hired Grace Hopper in Lisbon Harbour."]);

        var carol = await graph.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct);
        Assert.Single(carol.ChunkIds);
        Assert.DoesNotContain(carol.Entities, e => e.Name == "Grace Hopper");
        Assert.Equal(1, Assert.Single(carol.Entities, e => e.Name == "Acme Robotics").Chunks);
        await graph.WaitForReloadAsync();
        var alice = await graph.GetSubgraphAsync(Alice, [acme], [], new GraphExpansion(2, 10, 100), Ct);
        Assert.Equal(2, alice.ChunkIds.Count);
        Assert.Equal(2, graph.SnapshotLoads);

        await store.DeleteAsync(Tenant, "doc", Ct);

        Assert.Single((await graph.GetSubgraphAsync(Alice, [acme], [], new GraphExpansion(2, 10, 100), Ct)).ChunkIds);
        await graph.WaitForReloadAsync();
        Assert.Single((await graph.GetSubgraphAsync(Alice, [acme], [], new GraphExpansion(2, 10, 100), Ct)).ChunkIds);
        Assert.Equal(3, graph.SnapshotLoads);
        Assert.Equal(2, graph.SqlReads);
    }

    [Fact]
    public async Task GetSubgraph_AclChangedWhileReloadIsHeld_NextReadSeesTheChangeInSql()
    {
        await store.InitializeAsync(Ct);
        await UpsertAsync(Tenant, "doc", [AclEntry.Public], 1, ["Acme Robotics hired Grace Hopper in Lisbon Harbour."]);
        await UpsertAsync(Tenant, "other", [AclEntry.Public], 1, ["Acme Robotics moved to Orbital Dynamics Park."]);
        var acme = await SeedAsync(Carol, "Acme Robotics");
        await graph.GetSnapshotAsync(Ct);
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        graph.BeforeSnapshotInstall = token =>
        {
            loaded.SetResult();
            return release.Task.WaitAsync(token);
        };

        await UpsertAsync(Tenant, "other", [AclEntry.Public], 2, ["Acme Robotics moved to Orbital Dynamics Park again."]);
        Assert.Equal(2, (await graph.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct)).ChunkIds.Count);
        await loaded.Task; // the reload has read the store as it is now, before the ACL change below
        await UpsertAsync(Tenant, "doc", [AclEntry.Group("eng")], 2, ["Acme Robotics hired Grace Hopper in Lisbon Harbour."]);

        // The reload started by the read above is still held: the copy is stale, so SQL answers, with the new ACL.
        var carol = await graph.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct);
        Assert.Single(carol.ChunkIds);
        Assert.DoesNotContain(carol.Entities, e => e.Name == "Grace Hopper");
        Assert.Equal(1, graph.ReloadsStarted);
        release.SetResult();
        await graph.WaitForReloadAsync();
        Assert.Equal(1, graph.SnapshotLoads); // that reload read the store before the ACL change: not installed
    }

    [Fact]
    public async Task GetSubgraph_StaleCopy_ConcurrentReadsAnswerInSqlIdenticallyAndStartOneReload()
    {
        await store.InitializeAsync(Ct);
        await UpsertAsync(Tenant, "doc", [AclEntry.Public], 1, ["Acme Robotics hired Grace Hopper in Lisbon Harbour."]);
        var acme = await SeedAsync(Alice, "Acme Robotics");
        await graph.GetSnapshotAsync(Ct);
        await UpsertAsync(Tenant, "later", [AclEntry.Group("eng")], 1, ["Grace Hopper met Ada Lovelace and Acme Robotics."]);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        graph.BeforeSnapshotInstall = token => release.Task.WaitAsync(token);
        var expansion = new GraphExpansion(3, 10, 100);

        var reads = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            graph.GetSubgraphAsync(i % 2 == 0 ? Alice : Carol, [acme], [], expansion, Ct)));

        Assert.Equal(6, graph.SqlReads);
        Assert.Equal(1, graph.ReloadsStarted);
        Assert.Equal(1, graph.SnapshotLoads);
        using var sqlOnly = new SqliteGraphStore(database, Settings(inMemory: false));
        AssertSame(await sqlOnly.GetSubgraphAsync(Alice, [acme], [], expansion, Ct), reads[0]);
        AssertSame(await sqlOnly.GetSubgraphAsync(Carol, [acme], [], expansion, Ct), reads[1]);
        Assert.Equal(2, reads[0].ChunkIds.Count);
        Assert.Single(reads[1].ChunkIds);

        release.SetResult();
        await graph.WaitForReloadAsync();
        var fromCopy = await graph.GetSubgraphAsync(Alice, [acme], [], expansion, Ct);

        Assert.Equal(2, graph.SnapshotLoads);
        Assert.Equal(6, graph.SqlReads);
        AssertSame(reads[0], fromCopy);
    }

    [Fact]
    public async Task GetSubgraph_WriteDuringReload_DoesNotInstallTheOutdatedCopy()
    {
        await store.InitializeAsync(Ct);
        await UpsertAsync(Tenant, "doc", [AclEntry.Public], 1, ["Acme Robotics hired Grace Hopper in Lisbon Harbour."]);
        var acme = await SeedAsync(Carol, "Acme Robotics");
        var writes = 0;
        graph.BeforeSnapshotInstall = async token =>
        {
            if (writes++ == 0)
            {
                await UpsertAsync(Tenant, "later", [AclEntry.Public], 1, ["Acme Robotics opened a lab with Ada Lovelace."]);
            }
        };

        Assert.Single((await graph.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct)).ChunkIds);
        await graph.WaitForReloadAsync();

        Assert.Equal(0, graph.SnapshotLoads);
        var after = await graph.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct);
        Assert.Equal(2, after.ChunkIds.Count);
        Assert.Contains(after.Entities, e => e.Name == "Ada Lovelace");
        Assert.Equal(2, graph.SqlReads);
        await graph.WaitForReloadAsync();
        Assert.Equal(1, graph.SnapshotLoads);
        AssertSame(after, await graph.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct));
        Assert.Equal(2, graph.SqlReads);
    }

    [Fact]
    public async Task GetSubgraph_ReloadFails_ReadsStayInSqlAndALaterReadRetries()
    {
        await store.InitializeAsync(Ct);
        await UpsertAsync(Tenant, "doc", [AclEntry.Public], 1, ["Acme Robotics hired Grace Hopper in Lisbon Harbour."]);
        var acme = await SeedAsync(Carol, "Acme Robotics");
        var attempts = 0;
        graph.BeforeSnapshotInstall = _ => attempts++ == 0 ? throw new InvalidOperationException("disk on fire") : Task.CompletedTask;

        var first = await graph.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct);
        await graph.WaitForReloadAsync();
        Assert.Equal(0, graph.SnapshotLoads);
        var second = await graph.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct);
        await graph.WaitForReloadAsync();
        var third = await graph.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct);

        AssertSame(first, second);
        AssertSame(first, third);
        Assert.Equal(2, graph.ReloadsStarted);
        Assert.Equal(1, graph.SnapshotLoads);
        Assert.Equal(2, graph.SqlReads);
    }

    [Fact]
    public async Task GetSubgraph_StaleAgainRightAfterASlowReload_WaitsAsLongAsThatReloadTookBeforeTheNext()
    {
        await store.InitializeAsync(Ct);
        await UpsertAsync(Tenant, "doc", [AclEntry.Public], 1, ["Acme Robotics hired Grace Hopper in Lisbon Harbour."]);
        var acme = await SeedAsync(Carol, "Acme Robotics");
        var expansion = new GraphExpansion(2, 10, 100);
        graph.BeforeSnapshotInstall = _ =>
        {
            clock.Advance(TimeSpan.FromSeconds(10)); // the reload takes 10 s
            return Task.CompletedTask;
        };
        await graph.GetSubgraphAsync(Carol, [acme], [], expansion, Ct);
        await graph.WaitForReloadAsync();
        Assert.Equal(1, graph.SnapshotLoads);

        await UpsertAsync(Tenant, "doc2", [AclEntry.Public], 1, ["Acme Robotics opened a plant in Porto Harbour."]);
        clock.Advance(TimeSpan.FromSeconds(9));
        var paced = await graph.GetSubgraphAsync(Carol, [acme], [], expansion, Ct);
        await graph.WaitForReloadAsync();
        Assert.Equal(1, graph.ReloadsStarted); // 9 s after a 10 s reload: SQL answers, no reload yet
        Assert.Equal(2, paced.ChunkIds.Count); // and SQL sees the write

        clock.Advance(TimeSpan.FromSeconds(1));
        await graph.GetSubgraphAsync(Carol, [acme], [], expansion, Ct);
        await graph.WaitForReloadAsync();
        var fromCopy = await graph.GetSubgraphAsync(Carol, [acme], [], expansion, Ct);

        Assert.Equal(2, graph.ReloadsStarted);
        Assert.Equal(2, graph.SnapshotLoads);
        Assert.Equal(3, graph.SqlReads); // no copy yet, paced, and the read that started the second reload
        AssertSame(paced, fromCopy);
    }

    [Fact]
    public async Task GetSubgraph_InMemorySubgraphOff_AlwaysReadsInSqlAndLoadsNoCopy()
    {
        await store.InitializeAsync(Ct);
        await UpsertAsync(Tenant, "doc", [AclEntry.Public], 1, ["Acme Robotics hired Grace Hopper in Lisbon Harbour."]);
        var acme = await SeedAsync(Carol, "Acme Robotics");
        using var sqlOnly = new SqliteGraphStore(database, Settings(inMemory: false));

        for (var i = 0; i < 3; i++)
        {
            Assert.Single((await sqlOnly.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct)).ChunkIds);
            await sqlOnly.WaitForReloadAsync();
        }

        Assert.Equal(3, sqlOnly.SqlReads);
        Assert.Equal(0, sqlOnly.ReloadsStarted);
        Assert.Equal(0, sqlOnly.SnapshotLoads);
    }

    [Fact]
    public async Task GetSubgraph_MoreMentionsThanTheLimit_ReadsInSqlAndDoesNotRetryUntilAWrite()
    {
        await store.InitializeAsync(Ct);
        await UpsertAsync(Tenant, "doc", [AclEntry.Public], 1, ["Acme Robotics hired Grace Hopper in Lisbon Harbour."]);
        var acme = await SeedAsync(Carol, "Acme Robotics");
        using var small = new SqliteGraphStore(database, Settings(inMemory: true, maxMentions: 2));

        for (var i = 0; i < 3; i++)
        {
            Assert.Single((await small.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct)).ChunkIds);
            await small.WaitForReloadAsync();
        }

        Assert.Equal(3, small.SqlReads);
        Assert.Equal(1, small.ReloadsStarted);
        Assert.Equal(0, small.SnapshotLoads);

        await UpsertAsync(Tenant, "later", [AclEntry.Public], 1, ["Acme Robotics opened a lab with Ada Lovelace."]);
        Assert.Equal(2, (await small.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct)).ChunkIds.Count);
        await small.WaitForReloadAsync();
        Assert.Equal(2, small.ReloadsStarted);
        Assert.Equal(0, small.SnapshotLoads);
    }

    [Fact]
    public async Task GetSubgraph_WriteThroughAnotherDatabaseInstance_IsSeenOnTheNextRead()
    {
        await store.InitializeAsync(Ct);
        await UpsertAsync(Tenant, "doc", [AclEntry.Public], 1, ["Acme Robotics hired Grace Hopper."]);
        var acme = await SeedAsync(Carol, "Acme Robotics");
        Assert.Single((await graph.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct)).ChunkIds);

        // A second process (here: a second database object on the same file, with its own connection pool) writes.
        using (var otherDatabase = new EmbeddedDatabase(directory.DatabasePath))
        {
            var otherStore = new SqliteDocumentStore(otherDatabase, TestData.ModelId);
            var document = TestData.Document(Tenant, "later", [AclEntry.Public], ["Acme Robotics opened a lab with Ada Lovelace."]);
            await otherStore.UpsertAsync(document.Document, document.Chunks, Extract(document), Ct);
        }

        var after = await graph.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(2, 10, 100), Ct);
        Assert.Equal(2, after.ChunkIds.Count);
        Assert.Contains(after.Entities, e => e.Name == "Ada Lovelace");
    }

    [Fact]
    public async Task GetSubgraph_CopyWarmedByAWiderCaller_NarrowerCallerGetsOnlyItsOwnChunks()
    {
        await store.InitializeAsync(Ct);
        await UpsertAsync(Tenant, "eng", [AclEntry.Group("eng")], 1, ["Acme Robotics funds the Zanzibar Quokka Foundation."]);
        await UpsertAsync(Tenant, "public", [AclEntry.Public], 1, ["Acme Robotics opened an office beside Lisbon Harbour."]);
        await UpsertAsync(OtherTenant, "eng", [AclEntry.Public], 1, ["Acme Robotics is public in globex with the Zanzibar Quokka Foundation."]);
        var acme = await SeedAsync(Alice, "Acme Robotics");
        await graph.GetSnapshotAsync(Ct);

        var alice = await graph.GetSubgraphAsync(Alice, [acme], [], new GraphExpansion(3, 10, 100), Ct);
        var carol = await graph.GetSubgraphAsync(Carol, [acme], [], new GraphExpansion(3, 10, 100), Ct);
        var mallory = await graph.GetSubgraphAsync(TestData.Reader(OtherTenant, "alice", "eng"), [acme], [], new GraphExpansion(3, 10, 100), Ct);

        Assert.Equal(2, alice.ChunkIds.Count);
        Assert.Contains(alice.Entities, e => e.Name == "Zanzibar Quokka Foundation");
        Assert.Single(carol.ChunkIds);
        Assert.DoesNotContain(carol.Entities, e => e.Name == "Zanzibar Quokka Foundation");
        Assert.Equal(1, Assert.Single(carol.Entities, e => e.Name == "Acme Robotics").Chunks);
        Assert.Empty(mallory.ChunkIds); // a seed id of another tenant's entity reaches nothing there
        Assert.Equal(1, graph.SnapshotLoads);
        Assert.Equal(0, graph.SqlReads);
    }

    private static void AssertSame(EntityChunkGraph expected, EntityChunkGraph actual)
    {
        Assert.Equal(expected.ChunkIds, actual.ChunkIds);
        Assert.Equal(expected.Entities, actual.Entities);
        Assert.Equal(expected.Edges, actual.Edges);
    }

    private static StaticOptionsMonitor<GraphOptions> Settings(bool inMemory, int maxMentions = 10_000_000) =>
        new(new GraphOptions { InMemorySubgraph = inMemory, InMemorySubgraphMaxMentions = maxMentions });

    private async Task<string> SeedAsync(AclFilter filter, string name) =>
        Assert.Single(await graph.FindByKeysAsync(filter, [EntityNames.Normalize(name)], Ct)).Entity.Id;

    private async Task UpsertAsync(string tenant, string id, string[] acl, int version, IReadOnlyList<string> texts)
    {
        var document = TestData.Document(tenant, id, acl, texts, version);
        await store.UpsertAsync(document.Document, document.Chunks, Extract(document), Ct);
    }

    private static DocumentGraph Extract(TestDocument document) => FastGraphExtractor.Extract([.. document.Chunks.Select(c => (c.Id, c.Text))]);

    /// <summary>One to three chunks, each naming two to four entities of a small pool (some twice), so entities share chunks.</summary>
    private static List<string> RandomTexts(Random random) =>
        [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
        {
            var names = Enumerable.Range(0, random.Next(2, 5)).Select(_ => Names[random.Next(Names.Length)]).ToList();
            var repeat = random.Next(2) == 0 ? $" Later {names[0]} returned." : string.Empty;
            return $"{string.Join(" met ", names)} in the spring.{repeat}";
        })];
}

internal sealed class StaticOptionsMonitor<T>(T value) : Microsoft.Extensions.Options.IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
