using Retrieval.Core.Query;

namespace Retrieval.Core.Tests.Query;

public sealed class OverlappedWorkTests
{
    [Fact]
    public async Task JoinAsync_RacingThePoolThread_RunsTheWorkExactlyOnce()
    {
        // Joined at once, so the caller and a pool thread race to claim each item: whoever loses must not run it again.
        var runs = new int[2000];
        var work = Enumerable.Range(0, runs.Length)
            .Select(i => OverlappedWork<int>.Start(() =>
            {
                Interlocked.Increment(ref runs[i]);
                return Task.FromResult(i);
            }))
            .ToList();

        var results = await Task.WhenAll(work.Select(w => w.JoinAsync()));

        Assert.Equal(Enumerable.Range(0, runs.Length), results);
        Assert.All(runs, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task JoinAsync_WorkThrowsBeforeReturningATask_ThrowsTheSameException()
    {
        var work = OverlappedWork<int>.Start(() => throw new InvalidOperationException("boom"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(work.JoinAsync);

        Assert.Equal("boom", error.Message);
    }

    [Fact]
    public async Task JoinAsync_WorkFaultsAsynchronously_ThrowsTheSameException()
    {
        var work = OverlappedWork<int>.Start(async () =>
        {
            await Task.Yield();
            throw new InvalidOperationException("later");
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(work.JoinAsync);

        Assert.Equal("later", error.Message);
    }
}
