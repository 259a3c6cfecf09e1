using System.Text;
using Microsoft.Extensions.Time.Testing;
using Retrieval.Core;
using Retrieval.Core.Jobs;

namespace Retrieval.Storage.Conformance;

/// <summary>What every <see cref="IJobQueue"/> must do: leases, idempotent records, retries with backoff, cancellation, tenant scoping.</summary>
public abstract class JobQueueConformanceTests : IAsyncLifetime
{
    protected static readonly JobQueueSettings Settings = new(MaxAttempts: 3, BaseBackoff: TimeSpan.FromSeconds(10));

    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    private JobQueueUnderTest? underTest;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));

    protected IJobQueue Queue => underTest?.Queue ?? throw new InvalidOperationException("The queue is created in InitializeAsync.");

    private static CancellationToken Ct => CancellationToken.None;

    /// <summary>A new, empty queue isolated from every other test, reading time from <paramref name="time"/>.</summary>
    protected abstract Task<JobQueueUnderTest> CreateQueueAsync(TimeProvider time, JobQueueSettings settings);

    public async Task InitializeAsync()
    {
        underTest = await CreateQueueAsync(Time, Settings);
        await underTest.Queue.InitializeAsync(Ct);
    }

    public async Task DisposeAsync()
    {
        if (underTest is not null)
        {
            await underTest.DisposeAsync();
        }
    }

    [Fact]
    public async Task Enqueue_Claim_Record_Complete_ReportsCountsAndSucceeds()
    {
        var id = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("a.txt"), Path("b.txt"), Upload("c.txt")), Ct);
        var queued = await Queue.GetAsync("t1", id, Ct);
        Assert.Equal(JobState.Queued, queued!.State);
        Assert.Equal(3, queued.Total);
        Assert.Equal(Time.GetUtcNow(), queued.CreatedAt);
        Assert.Null(queued.StartedAt);

        var lease = await Queue.ClaimAsync("worker-1", Lease, Ct);
        Assert.NotNull(lease);
        Assert.Equal(id, lease.JobId);
        Assert.Equal("t1", lease.Tenant);
        Assert.Equal("alice", lease.SubmittedBy);
        Assert.Equal(["group:eng"], lease.Acl);
        Assert.Equal("v", lease.Metadata["k"]);
        Assert.Equal(1, lease.Attempt);
        Assert.Equal([0, 1, 2], lease.Items.Select(i => i.Index));
        Assert.Equal([true, false, true], lease.Items.Select(i => i.HasContent));
        Assert.Equal("b.txt", lease.Items[1].Source);
        Assert.Equal("/data/b.txt", lease.Items[1].ServerPath);
        Assert.All(lease.Items, i => Assert.False(i.Done));
        Assert.Equal(JobState.Running, (await Queue.GetAsync("t1", id, Ct))!.State);

        await Queue.RecordItemAsync(lease, 0, JobItemOutcome.Success("doc-a", 4, 100), Ct);
        await Queue.RecordItemAsync(lease, 1, JobItemOutcome.Failure("could not parse b.txt"), Ct);
        await Queue.RecordItemAsync(lease, 2, JobItemOutcome.Success("doc-c", 2, 50), Ct);
        Time.Advance(TimeSpan.FromSeconds(5));
        await Queue.CompleteAsync(lease, "CUDA", Ct);

        var done = await Queue.GetAsync("t1", id, Ct);
        Assert.Equal(JobState.Succeeded, done!.State);
        Assert.Equal((2, 1, 6L, 150L), (done.Succeeded, done.Failed, done.Chunks, done.Tokens));
        Assert.Equal([new JobError("b.txt", "could not parse b.txt")], done.Errors);
        Assert.Equal("CUDA", done.ExecutionProvider);
        Assert.Equal(1, done.Attempts);
        Assert.NotNull(done.StartedAt);
        Assert.Equal(Time.GetUtcNow(), done.FinishedAt);
        Assert.Null(await Queue.ClaimAsync("worker-2", Lease, Ct));
    }

    [Fact]
    public async Task Complete_EveryItemFailed_StateFailed()
    {
        var id = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("a.txt"), Upload("b.txt")), Ct);
        var lease = (await Queue.ClaimAsync("w", Lease, Ct))!;
        await Queue.RecordItemAsync(lease, 0, JobItemOutcome.Failure("bad a"), Ct);
        await Queue.RecordItemAsync(lease, 1, JobItemOutcome.Failure("bad b"), Ct);

        await Queue.CompleteAsync(lease, "CPU", Ct);

        var status = await Queue.GetAsync("t1", id, Ct);
        Assert.Equal(JobState.Failed, status!.State);
        Assert.Equal(2, status.Errors.Count);
    }

    [Fact]
    public async Task RecordItem_SameItemTwice_CountsOnce()
    {
        var id = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("a.txt"), Upload("b.txt")), Ct);
        var lease = (await Queue.ClaimAsync("w", Lease, Ct))!;

        await Queue.RecordItemAsync(lease, 0, JobItemOutcome.Success("doc-a", 3, 30), Ct);
        await Queue.RecordItemAsync(lease, 0, JobItemOutcome.Success("doc-a", 3, 30), Ct);
        await Queue.RecordItemAsync(lease, 0, JobItemOutcome.Failure("late duplicate"), Ct);

        var status = await Queue.GetAsync("t1", id, Ct);
        Assert.Equal((1, 0, 3L, 30L), (status!.Succeeded, status.Failed, status.Chunks, status.Tokens));
        Assert.Empty(status.Errors);
    }

    [Fact]
    public async Task Claim_EmptyQueue_ReturnsNull()
    {
        Assert.Null(await Queue.ClaimAsync("w", Lease, Ct));
    }

    [Fact]
    public async Task Claim_OldestRunnableJobFirst()
    {
        var first = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("a")), Ct);
        Time.Advance(TimeSpan.FromSeconds(1));
        var second = await Queue.EnqueueAsync(Submission("t2", "bob", Upload("b")), Ct);

        Assert.Equal(first, (await Queue.ClaimAsync("w1", Lease, Ct))!.JobId);
        Assert.Equal(second, (await Queue.ClaimAsync("w2", Lease, Ct))!.JobId);
        Assert.Null(await Queue.ClaimAsync("w3", Lease, Ct));
    }

    [Fact]
    public async Task Claim_LeasedJob_SkippedUntilLeaseExpiresThenResumedWithDoneItems()
    {
        var id = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("a"), Upload("b")), Ct);
        var first = (await Queue.ClaimAsync("w1", Lease, Ct))!;
        await Queue.RecordItemAsync(first, 0, JobItemOutcome.Success("doc-a", 1, 10), Ct);

        Time.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Null(await Queue.ClaimAsync("w2", Lease, Ct));

        Time.Advance(TimeSpan.FromSeconds(2));
        var second = await Queue.ClaimAsync("w2", Lease, Ct);

        Assert.NotNull(second);
        Assert.Equal(id, second.JobId);
        Assert.Equal(2, second.Attempt);
        Assert.Equal([true, false], second.Items.Select(i => i.Done));
        Assert.False(await Queue.RenewAsync(first, Lease, Ct));
        await Assert.ThrowsAsync<JobLeaseLostException>(() => Queue.RecordItemAsync(first, 1, JobItemOutcome.Success("doc-b", 1, 10), Ct));
        await Assert.ThrowsAsync<JobLeaseLostException>(() => Queue.CompleteAsync(first, "CPU", Ct));

        await Queue.RecordItemAsync(second, 1, JobItemOutcome.Success("doc-b", 1, 10), Ct);
        await Queue.CompleteAsync(second, "CPU", Ct);
        var status = await Queue.GetAsync("t1", id, Ct);
        Assert.Equal((JobState.Succeeded, 2, 2), (status!.State, status.Succeeded, status.Attempts));
    }

    [Fact]
    public async Task Release_GivesTheJobBackAtOnce_WithoutCountingTheAttempt()
    {
        var id = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("a"), Upload("b")), Ct);
        var first = (await Queue.ClaimAsync("w1", Lease, Ct))!;
        await Queue.RecordItemAsync(first, 0, JobItemOutcome.Success("doc-a", 1, 10), Ct);

        Assert.True(await Queue.ReleaseAsync(first, Ct));
        Assert.False(await Queue.ReleaseAsync(first, Ct));
        await Assert.ThrowsAsync<JobLeaseLostException>(() => Queue.RecordItemAsync(first, 1, JobItemOutcome.Success("doc-b", 1, 10), Ct));

        var second = await Queue.ClaimAsync("w2", Lease, Ct);
        Assert.NotNull(second);
        Assert.Equal(id, second.JobId);
        Assert.Equal(1, second.Attempt);
        Assert.Equal([true, false], second.Items.Select(i => i.Done));
    }

    [Fact]
    public async Task Renew_HeldLease_KeepsOtherWorkersOut()
    {
        await Queue.EnqueueAsync(Submission("t1", "alice", Upload("a")), Ct);
        var lease = (await Queue.ClaimAsync("w1", Lease, Ct))!;

        Time.Advance(TimeSpan.FromSeconds(50));
        Assert.True(await Queue.RenewAsync(lease, Lease, Ct));
        Time.Advance(TimeSpan.FromSeconds(50));

        Assert.Null(await Queue.ClaimAsync("w2", Lease, Ct));
    }

    [Fact]
    public async Task Fail_RetriesWithExponentialBackoff_ThenFailsForGood()
    {
        var id = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("a")), Ct);

        var attempt1 = (await Queue.ClaimAsync("w", Lease, Ct))!;
        await Queue.FailAsync(attempt1, "model server down", Ct);
        var afterFirst = await Queue.GetAsync("t1", id, Ct);
        Assert.Equal((JobState.Queued, 1, "model server down"), (afterFirst!.State, afterFirst.Attempts, afterFirst.LastError));

        Time.Advance(Settings.BaseBackoff - TimeSpan.FromSeconds(1));
        Assert.Null(await Queue.ClaimAsync("w", Lease, Ct));
        Time.Advance(TimeSpan.FromSeconds(1));
        var attempt2 = (await Queue.ClaimAsync("w", Lease, Ct))!;
        Assert.Equal(2, attempt2.Attempt);

        await Queue.FailAsync(attempt2, "still down", Ct);
        Time.Advance(Settings.BaseBackoff);
        Assert.Null(await Queue.ClaimAsync("w", Lease, Ct)); // the second wait is twice as long
        Time.Advance(Settings.BaseBackoff);
        var attempt3 = (await Queue.ClaimAsync("w", Lease, Ct))!;
        Assert.Equal(3, attempt3.Attempt);

        await Queue.FailAsync(attempt3, "gave up", Ct);
        Time.Advance(TimeSpan.FromDays(1));
        Assert.Null(await Queue.ClaimAsync("w", Lease, Ct));
        var failed = await Queue.GetAsync("t1", id, Ct);
        Assert.Equal((JobState.Failed, 3, "gave up"), (failed!.State, failed.Attempts, failed.LastError));
        Assert.NotNull(failed.FinishedAt);
        Assert.Null(await Queue.ReadItemContentAsync(id, 0, Ct));
    }

    [Fact]
    public async Task Claim_LeaseExpiredOnLastAttempt_FailsTheJob()
    {
        var id = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("a")), Ct);
        for (var attempt = 1; attempt <= Settings.MaxAttempts; attempt++)
        {
            Assert.Equal(attempt, (await Queue.ClaimAsync("w", Lease, Ct))!.Attempt);
            Time.Advance(Lease + TimeSpan.FromSeconds(1)); // the worker died
        }

        Assert.Null(await Queue.ClaimAsync("w", Lease, Ct));
        Assert.Equal(JobState.Failed, (await Queue.GetAsync("t1", id, Ct))!.State);
    }

    [Fact]
    public async Task Cancel_QueuedJob_CancelledAtOnceAndNeverClaimed()
    {
        var id = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("a")), Ct);

        Assert.Equal(CancelOutcome.Cancelled, await Queue.CancelAsync("t1", id, Ct));

        var status = await Queue.GetAsync("t1", id, Ct);
        Assert.Equal(JobState.Cancelled, status!.State);
        Assert.NotNull(status.FinishedAt);
        Assert.Null(await Queue.ClaimAsync("w", Lease, Ct));
        Assert.Null(await Queue.ReadItemContentAsync(id, 0, Ct));
        Assert.Equal(CancelOutcome.AlreadyFinished, await Queue.CancelAsync("t1", id, Ct));
    }

    [Fact]
    public async Task Cancel_RunningJob_RenewReturnsFalseAndTheJobEndsCancelled()
    {
        var id = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("a"), Upload("b")), Ct);
        var lease = (await Queue.ClaimAsync("w", Lease, Ct))!;
        await Queue.RecordItemAsync(lease, 0, JobItemOutcome.Success("doc-a", 1, 1), Ct);

        Assert.Equal(CancelOutcome.Cancelled, await Queue.CancelAsync("t1", id, Ct));

        Assert.False(await Queue.RenewAsync(lease, Lease, Ct));
        await Queue.CompleteAsync(lease, "CPU", Ct);
        var status = await Queue.GetAsync("t1", id, Ct);
        Assert.Equal(JobState.Cancelled, status!.State);
        Assert.Equal(1, status.Succeeded);
        Assert.Equal(CancelOutcome.AlreadyFinished, await Queue.CancelAsync("t1", id, Ct));
    }

    [Fact]
    public async Task Cancel_RunningJobWhoseWorkerDied_EndsCancelledNotResumed()
    {
        var id = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("a")), Ct);
        _ = await Queue.ClaimAsync("w", Lease, Ct);
        Assert.Equal(CancelOutcome.Cancelled, await Queue.CancelAsync("t1", id, Ct));

        Time.Advance(Lease + TimeSpan.FromSeconds(1));

        Assert.Null(await Queue.ClaimAsync("w2", Lease, Ct));
        Assert.Equal(JobState.Cancelled, (await Queue.GetAsync("t1", id, Ct))!.State);
    }

    [Fact]
    public async Task Cancel_FinishedJob_AlreadyFinished_UnknownOrOtherTenant_NotFound()
    {
        var id = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("a")), Ct);
        var lease = (await Queue.ClaimAsync("w", Lease, Ct))!;
        await Queue.RecordItemAsync(lease, 0, JobItemOutcome.Success("doc", 1, 1), Ct);
        var other = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("b")), Ct);
        await Queue.CompleteAsync(lease, "CPU", Ct);

        Assert.Equal(CancelOutcome.AlreadyFinished, await Queue.CancelAsync("t1", id, Ct));
        Assert.Equal(CancelOutcome.NotFound, await Queue.CancelAsync("t1", "no-such-job", Ct));
        Assert.Equal(CancelOutcome.NotFound, await Queue.CancelAsync("t2", other, Ct));
        Assert.Equal(JobState.Queued, (await Queue.GetAsync("t1", other, Ct))!.State);
    }

    [Fact]
    public async Task GetAndList_AreScopedToTheTenant_NewestFirst_FilteredBySubmitter()
    {
        var a1 = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("1")), Ct);
        Time.Advance(TimeSpan.FromSeconds(1));
        var b1 = await Queue.EnqueueAsync(Submission("t1", "bob", Upload("2")), Ct);
        Time.Advance(TimeSpan.FromSeconds(1));
        var a2 = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("3")), Ct);
        Time.Advance(TimeSpan.FromSeconds(1));
        var foreign = await Queue.EnqueueAsync(Submission("t2", "alice", Upload("4")), Ct);

        Assert.Null(await Queue.GetAsync("t1", foreign, Ct));
        Assert.Null(await Queue.GetAsync("t2", a1, Ct));
        Assert.Equal([a2, b1, a1], (await Queue.ListAsync("t1", null, 10, Ct)).Select(j => j.Id));
        Assert.Equal([a2, a1], (await Queue.ListAsync("t1", "alice", 10, Ct)).Select(j => j.Id));
        Assert.Equal([a2], (await Queue.ListAsync("t1", null, 1, Ct)).Select(j => j.Id));
        Assert.Equal([foreign], (await Queue.ListAsync("t2", "alice", 10, Ct)).Select(j => j.Id));
        Assert.Empty(await Queue.ListAsync("t3", null, 10, Ct));
    }

    [Fact]
    public async Task ReadItemContent_UploadedBytesUntilCompletion_ThenDropped()
    {
        var bytes = Encoding.UTF8.GetBytes("uploaded document body");
        var id = await Queue.EnqueueAsync(Submission("t1", "alice", new JobItem("up.txt", null, bytes, "text/plain"), Path("p.txt")), Ct);
        var lease = (await Queue.ClaimAsync("w", Lease, Ct))!;

        Assert.Equal(bytes, await Queue.ReadItemContentAsync(id, 0, Ct));
        Assert.Null(await Queue.ReadItemContentAsync(id, 1, Ct));
        Assert.Equal("text/plain", lease.Items[0].ContentType);

        await Queue.RecordItemAsync(lease, 0, JobItemOutcome.Success("d", 1, 1), Ct);
        await Queue.RecordItemAsync(lease, 1, JobItemOutcome.Success("e", 1, 1), Ct);
        await Queue.CompleteAsync(lease, "CPU", Ct);

        Assert.Null(await Queue.ReadItemContentAsync(id, 0, Ct));
    }

    [Fact]
    public async Task CountPending_CountsQueuedAndRunningOnly()
    {
        await Queue.EnqueueAsync(Submission("t1", "alice", Upload("a")), Ct);
        await Queue.EnqueueAsync(Submission("t1", "alice", Upload("b")), Ct);
        var cancelled = await Queue.EnqueueAsync(Submission("t1", "alice", Upload("c")), Ct);
        await Queue.CancelAsync("t1", cancelled, Ct);
        _ = await Queue.ClaimAsync("w", Lease, Ct);

        Assert.Equal(2, await Queue.CountPendingAsync(Ct));
    }

    [Fact]
    public async Task Enqueue_TenantAtActiveCap_ThrowsTooManyRequestsUntilAJobFinishes()
    {
        await using var capped = await CreateQueueAsync(Time, Settings with { MaxActivePerTenant = 2 });
        var queue = capped.Queue;
        await queue.InitializeAsync(Ct);
        var first = await queue.EnqueueAsync(Submission("t1", "alice", Upload("a")), Ct);
        var second = await queue.EnqueueAsync(Submission("t1", "bob", Upload("b")), Ct);

        var refused = await Assert.ThrowsAsync<TooManyRequestsException>(() => queue.EnqueueAsync(Submission("t1", "carol", Upload("c")), Ct));
        Assert.Contains("Retrieval:Jobs:MaxActivePerTenant", refused.Message, StringComparison.Ordinal);
        Assert.True(refused.RetryAfter >= TimeSpan.FromSeconds(1));
        Assert.Equal(2, (await queue.ListAsync("t1", null, 10, Ct)).Count);

        // Another tenant has its own allowance.
        await queue.EnqueueAsync(Submission("t2", "alice", Upload("d")), Ct);

        // A running job still counts; a finished one does not.
        var lease = (await queue.ClaimAsync("w", Lease, Ct))!;
        Assert.Equal(first, lease.JobId);
        await Assert.ThrowsAsync<TooManyRequestsException>(() => queue.EnqueueAsync(Submission("t1", "alice", Upload("e")), Ct));
        await queue.RecordItemAsync(lease, 0, JobItemOutcome.Success("doc-a", 1, 1), Ct);
        await queue.CompleteAsync(lease, "CPU", Ct);
        var third = await queue.EnqueueAsync(Submission("t1", "alice", Upload("f")), Ct);

        // So does a cancelled one.
        await Assert.ThrowsAsync<TooManyRequestsException>(() => queue.EnqueueAsync(Submission("t1", "alice", Upload("g")), Ct));
        Assert.Equal(CancelOutcome.Cancelled, await queue.CancelAsync("t1", second, Ct));
        await queue.EnqueueAsync(Submission("t1", "alice", Upload("h")), Ct);
        Assert.Equal(JobState.Queued, (await queue.GetAsync("t1", third, Ct))!.State);
    }

    [Fact]
    public async Task Enqueue_ConcurrentSubmissionsAtTheCap_AdmitExactlyTheCap()
    {
        await using var capped = await CreateQueueAsync(Time, Settings with { MaxActivePerTenant = 3 });
        var queue = capped.Queue;
        await queue.InitializeAsync(Ct);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            await Task.Yield();
            try
            {
                await queue.EnqueueAsync(Submission("t1", $"user{i}", Upload($"doc{i}")), Ct);
                return true;
            }
            catch (TooManyRequestsException)
            {
                return false;
            }
        }));

        Assert.Equal(3, outcomes.Count(admitted => admitted));
        Assert.Equal(3, (await queue.ListAsync("t1", null, 100, Ct)).Count);
    }

    protected static JobSubmission Submission(string tenant, string submittedBy, params JobItem[] items) =>
        new(tenant, submittedBy, ["group:eng"], items, new Dictionary<string, string>(StringComparer.Ordinal) { ["k"] = "v" });

    protected static JobItem Upload(string source) => new(source, null, Encoding.UTF8.GetBytes("content of " + source), "text/plain");

    protected static JobItem Path(string source) => new(source, "/data/" + source, null, null);
}
