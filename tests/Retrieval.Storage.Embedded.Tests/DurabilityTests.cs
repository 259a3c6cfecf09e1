using Microsoft.Data.Sqlite;
using Retrieval.Core.Jobs;
using Retrieval.Storage.Conformance;

namespace Retrieval.Storage.Embedded.Tests;

public sealed class DurabilityTests : IDisposable
{
    private readonly TempDirectory directory = new();

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task Reopen_AfterDispose_DocumentsChunksVectorsFtsAndJobsAreAllThere()
    {
        string jobId;
        using (var database = new EmbeddedDatabase(directory.DatabasePath))
        {
            await AclCorpus.SeedAsync(new SqliteDocumentStore(database, TestData.ModelId));
            var queue = new SqliteJobQueue(database);
            jobId = await queue.EnqueueAsync(
                new JobSubmission("t1", "alice", ["public"], [new JobItem("a.txt", null, [1, 2, 3], "text/plain")], new Dictionary<string, string>()),
                Ct);
        }

        using var reopened = new EmbeddedDatabase(directory.DatabasePath);
        var store = new SqliteDocumentStore(reopened, TestData.ModelId);
        using var vectors = new SqliteVectorIndex(reopened);
        var lexical = new SqliteLexicalIndex(reopened);
        var queue2 = new SqliteJobQueue(reopened);
        var alice = TestData.Reader(AclCorpus.Tenant, "alice", "eng");

        Assert.NotNull(await store.FindAsync(AclCorpus.Tenant, "eng-doc", Ct));
        Assert.Equal(AclCorpus.Engineering.ChunkIds, (await store.GetChunksAsync(alice, AclCorpus.Engineering.ChunkIds, Ct)).Select(c => c.Chunk.Id));
        Assert.Equal(AclCorpus.Engineering.Chunks[0].Id, (await vectors.SearchAsync(alice, AclCorpus.Engineering.Chunks[0].Embedding, 1, Ct))[0].ChunkId);
        Assert.Equal(AclCorpus.Engineering.Chunks[0].Id, (await lexical.SearchAsync(alice, "zanzibarquokka", 5, Ct)).Single().ChunkId);
        Assert.Equal(JobState.Queued, (await queue2.GetAsync("t1", jobId, Ct))!.State);
        var lease = await queue2.ClaimAsync("w", TimeSpan.FromMinutes(1), Ct);
        Assert.Equal(jobId, lease!.JobId);
        Assert.Equal(new byte[] { 1, 2, 3 }, await queue2.ReadItemContentAsync(jobId, 0, Ct));
    }

    [Fact]
    public async Task Database_AfterMixedWorkload_PassesIntegrityCheckAndIsWal()
    {
        using (var database = new EmbeddedDatabase(directory.DatabasePath))
        {
            var store = new SqliteDocumentStore(database, TestData.ModelId);
            await AclCorpus.SeedAsync(store);
            await store.UpsertAsync(AclCorpus.Public.Document with { Version = 2 }, AclCorpus.Public.Chunks.Take(1).ToList(), Ct);
            await store.DeleteAsync(AclCorpus.Tenant, "hr-doc", Ct);
            await database.InitializeAsync(Ct); // idempotent
        }

        using var second = new EmbeddedDatabase(directory.DatabasePath);
        await second.InitializeAsync(Ct); // migrations already applied: a no-op
        await using var connection = await second.OpenAsync(Ct);
        Assert.Equal("ok", await ScalarAsync(connection, "PRAGMA integrity_check;"));
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
        Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA foreign_keys;"));
        Assert.Equal((long)EmbeddedSchema.LatestVersion, await ScalarAsync(connection, "SELECT MAX(version) FROM schema_version;"));
        Assert.Equal((long)EmbeddedSchema.LatestVersion, await ScalarAsync(connection, "SELECT COUNT(*) FROM schema_version;"));
        // The external-content FTS index matches its table exactly.
        Assert.Equal(0L, await ScalarAsync(connection, "INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 1); SELECT 0;"));
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(Ct);
    }
}
