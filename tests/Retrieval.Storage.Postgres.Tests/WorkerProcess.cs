using System.Collections.Concurrent;
using System.Diagnostics;

namespace Retrieval.Storage.Postgres.Tests;

/// <summary>
/// A real ingestion worker process (<c>dotnet exec Retrieval.Ingestion.Worker.dll</c>, built next to the tests),
/// configured through environment variables to use PostgreSQL in one test schema and the small MiniLM model.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private const string ReadyLine = "Listening for job notifications";
    private const string ListeningLine = "Now listening on: ";

    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WorkerProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.Exited += (_, _) =>
        {
            ready.TrySetException(new InvalidOperationException($"Worker {process.Id} exited early:\n{Output}"));
            listening.TrySetException(new InvalidOperationException($"Worker {process.Id} exited early:\n{Output}"));
        };
    }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public string Output => string.Join('\n', output);

    public static WorkerProcess Start(string schema, string workDirectory, IReadOnlyDictionary<string, string>? settings = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Retrieval.Ingestion.Worker.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet, ["exec", dll])
        {
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Retrieval"] = "Information",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            ["Retrieval__Storage__Type"] = "postgres",
            ["Retrieval__Storage__Postgres__ConnectionString"] = TestPostgres.ConnectionString,
            ["Retrieval__Storage__Postgres__Schema"] = schema,
            ["Retrieval__Storage__DataDirectory"] = Path.Combine(workDirectory, "data"),
            ["Retrieval__Embeddings__Model"] = "minilm",
            ["Retrieval__Embeddings__ExecutionProvider"] = "cpu",
            ["Retrieval__Worker__LeaseDuration"] = "00:00:05",
            ["Retrieval__Worker__PollInterval"] = "00:00:01",
            ["Retrieval__Warmup__Enabled"] = "false", // start-up speed is not what these processes test
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Completes once the worker has loaded the model, migrated the schema and listens for jobs.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        try
        {
            await ready.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Worker {Id} was not ready after {timeout}:\n{Output}");
        }
    }

    /// <summary>The address of the worker's health and metrics endpoints (a free loopback port unless configured).</summary>
    public async Task<Uri> GetAddressAsync(TimeSpan timeout) => await listening.Task.WaitAsync(timeout);

    /// <summary>SIGKILL: no shutdown code runs, the lease is simply abandoned.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            Kill();
        }

        process.Dispose();
    }

    private void OnLine(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }

        output.Enqueue(e.Data);
        var at = e.Data.IndexOf(ListeningLine, StringComparison.Ordinal);
        if (at >= 0 && Uri.TryCreate(e.Data[(at + ListeningLine.Length)..].Trim(), UriKind.Absolute, out var address))
        {
            listening.TrySetResult(address);
        }

        if (e.Data.Contains(ReadyLine, StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }
    }
}
