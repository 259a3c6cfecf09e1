namespace Retrieval.Storage.Postgres.Tests;

/// <summary>
/// The worker process serves the endpoints Kubernetes and Prometheus need (and nothing else): liveness, readiness once
/// the store and the model are ready, and its metrics, including the execution provider and queue depth.
/// </summary>
public sealed class WorkerHostTests : IAsyncLifetime
{
    private readonly string schema = TestPostgres.NewSchemaName();
    private readonly string workDirectory = Directory.CreateTempSubdirectory("retrieval-worker-host-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await TestPostgres.DropSchemaAsync(schema);
        Directory.Delete(workDirectory, recursive: true);
    }

    [Fact]
    public async Task Worker_Started_ServesHealthAndMetricsButNoApi()
    {
        using var worker = WorkerProcess.Start(schema, workDirectory);
        await worker.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        var address = await worker.GetAddressAsync(TimeSpan.FromSeconds(30));
        using var http = new HttpClient { BaseAddress = address };

        using var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var search = await http.PostAsync(new Uri("/v1/search", UriKind.Relative), new StringContent("{}"));
        var metrics = await ReadMetricsUntilAsync(http, "retrieval_worker_info");

        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, search.StatusCode);
        Assert.Contains("execution_provider=\"CPU\"", metrics, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("retrieval_jobs_pending", metrics, StringComparison.Ordinal);
    }

    /// <summary>Observable gauges appear once the worker has taken its first sample; polls for a bounded time.</summary>
    private static async Task<string> ReadMetricsUntilAsync(HttpClient http, string name)
    {
        var text = string.Empty;
        for (var attempt = 0; attempt < 60 && !text.Contains(name, StringComparison.Ordinal); attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }

            text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        }

        return text;
    }
}
