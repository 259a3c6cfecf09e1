using System.Text;
using Retrieval.Core.Jobs;

namespace Retrieval.Storage.Postgres.Tests;

/// <summary>
/// Two real worker processes on one PostgreSQL queue; the one holding the job is killed (SIGKILL) mid-job. Its lease
/// expires, the other finishes the job, and the result is the same as a clean run: every document once, with its
/// chunks, and the job's counts right.
/// </summary>
public sealed class WorkerCrashTests : IAsyncLifetime
{
    private const int Documents = 150;
    private const string Tenant = "acme";

    private readonly string schema = TestPostgres.NewSchemaName();
    private readonly string workDirectory = Directory.CreateTempSubdirectory("retrieval-workers-").FullName;
    private PostgresDatabase? database;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (database is not null)
        {
            await database.DisposeAsync();
        }

        await TestPostgres.DropSchemaAsync(schema);
        Directory.Delete(workDirectory, recursive: true);
    }

    [Fact]
    public async Task TwoWorkers_OneKilledMidJob_EveryDocumentIngestedExactlyOnce()
    {
        database = new PostgresDatabase(TestPostgres.ConnectionString, schema);
        var queue = new PostgresJobQueue(database);
        await queue.InitializeAsync(CancellationToken.None);
        using var first = WorkerProcess.Start(schema, workDirectory);
        using var second = WorkerProcess.Start(schema, workDirectory);
        await Task.WhenAll(first.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)), second.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)));

        var items = Enumerable.Range(0, Documents)
            .Select(i => new JobItem($"doc-{i:000}.txt", null, Encoding.UTF8.GetBytes(DocumentText(i)), "text/plain"))
            .ToList();
        var jobId = await queue.EnqueueAsync(new JobSubmission(Tenant, "alice", ["group:eng"], items, new Dictionary<string, string>(StringComparer.Ordinal)), CancellationToken.None);
        Assert.Equal((long)Documents, await ScalarAsync<long>($"SELECT COUNT(*) FROM job_items WHERE job_id = '{jobId}' AND content IS NOT NULL"));

        // Kill whichever worker holds the lease once a fifth of the items are recorded.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        string owner;
        while (true)
        {
            owner = await ScalarAsync<string?>($"SELECT lease_owner FROM jobs WHERE id = '{jobId}'") ?? string.Empty;
            var done = await ScalarAsync<long>($"SELECT COUNT(*) FROM job_items WHERE job_id = '{jobId}' AND done");
            if (owner.Length > 0 && done >= Documents / 5)
            {
                Assert.True(done < Documents, "the job finished before a worker could be killed; use more documents");
                break;
            }

            await Task.Delay(50, deadline.Token);
        }

        var pid = int.Parse(owner.Split('-')[^2], System.Globalization.CultureInfo.InvariantCulture);
        var (victim, survivor) = pid == first.Id ? (first, second) : (second, first);
        Assert.Equal(pid, victim.Id);
        victim.Kill();

        JobStatus? status;
        do
        {
            await Task.Delay(250, deadline.Token);
            status = await queue.GetAsync(Tenant, jobId, CancellationToken.None);
        }
        while (status!.State is JobState.Queued or JobState.Running);

        Assert.False(survivor.HasExited, survivor.Output);
        Assert.Equal(JobState.Succeeded, status.State);
        Assert.Equal((Documents, 0, 2), (status.Succeeded, status.Failed, status.Attempts));
        Assert.Equal((long)Documents, await ScalarAsync<long>("SELECT COUNT(*) FROM documents"));
        Assert.Equal((long)Documents, await ScalarAsync<long>($"SELECT COUNT(DISTINCT id) FROM documents WHERE tenant = '{Tenant}' AND id LIKE 'doc-%.txt'"));
        var chunks = await ScalarAsync<long>("SELECT COUNT(*) FROM chunks");
        Assert.True(chunks >= Documents);
        Assert.Equal(chunks, status.Chunks);
        Assert.Equal(chunks, await ScalarAsync<long>("SELECT SUM(chunk_count) FROM documents"));
        Assert.Equal(0L, await ScalarAsync<long>(
            "SELECT COUNT(*) FROM documents d WHERE d.chunk_count <> (SELECT COUNT(*) FROM chunks c WHERE c.tenant = d.tenant AND c.document_id = d.id)"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM (SELECT tenant, document_id, ordinal FROM chunks GROUP BY 1, 2, 3 HAVING COUNT(*) > 1) twice"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM chunks WHERE embedding IS NULL OR array_length(embedding, 1) <> 384"));
        Assert.Equal(0L, await ScalarAsync<long>($"SELECT COUNT(*) FROM job_items WHERE job_id = '{jobId}' AND (content IS NOT NULL OR NOT done)"));
    }

    private Task<T> ScalarAsync<T>(string sql) => TestPostgres.ScalarAsync<T>(schema, sql);

    private static string DocumentText(int i) =>
        $"Report {i} on the harbour survey. The tide gauge number {i % 17} drifted by {i % 5} millimetres. " +
        $"Engineers replaced cable segment {i * 7 % 31} and logged the change in ticket {1000 + i}.";
}
