using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Retrieval.CrashHarness;

/// <summary>
/// The API as a separate process (<c>dotnet exec Retrieval.Api.dll</c>) on the embedded store in its own data directory,
/// with the real embedding model, the in-process ingestion worker, a short job lease (so jobs abandoned by a kill resume
/// soon) and rate limits off (the harness clients would otherwise be throttled).
/// </summary>
internal sealed class ApiProcess : IDisposable
{
    private const int MaxOutputLines = 400;

    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private ApiProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
    }

    public Uri BaseAddress { get; }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public string Output => string.Join('\n', output);

    /// <summary>The API's <c>Retrieval.Api.dll</c>: <paramref name="configured"/>, else the copy built next to the harness.</summary>
    public static string LocateApi(string? configured)
    {
        var path = configured ?? Path.Combine(AppContext.BaseDirectory, "Retrieval.Api.dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Retrieval.Api.dll not found at '{path}': build tests/Retrieval.CrashHarness (it references the API) or pass --api <path>.", path);
        }

        return Path.GetFullPath(path);
    }

    public static ApiProcess Start(string apiDll, string dataDirectory, int port, IReadOnlyDictionary<string, string> settings)
    {
        Directory.CreateDirectory(dataDirectory);
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet, ["exec", apiDll])
        {
            WorkingDirectory = dataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Retrieval__Storage__Type"] = "embedded",
            ["Retrieval__Storage__DataDirectory"] = dataDirectory,
            ["Retrieval__Embeddings__ExecutionProvider"] = "cpu",
            ["Retrieval__Demo__Enabled"] = "false",
            ["Retrieval__RateLimits__Enabled"] = "false",
            ["Retrieval__Worker__LeaseDuration"] = "00:00:05",
            ["Retrieval__Worker__PollInterval"] = "00:00:00.200",
            ["Retrieval__Warmup__Enabled"] = "false", // start-up speed is not what these processes test
            ["Retrieval__Query__MaxQueryLength"] = "8000",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return api;
    }

    /// <summary>A TCP port nobody listens on right now (the OS picks it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Polls <c>/health/ready</c> until it answers 200 (store open, model loaded).</summary>
    public async Task WaitUntilReadyAsync(HttpClient http, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var ready = new Uri(BaseAddress, "health/ready");
        while (true)
        {
            if (process.HasExited)
            {
                throw new HarnessException($"The API (pid {Id}) exited with code {process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync(ready, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (watch.Elapsed > timeout)
            {
                throw new HarnessException($"The API (pid {Id}) was not ready after {timeout}:\n{Output}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed or checkpointed.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // never started
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
        while (output.Count > MaxOutputLines && output.TryDequeue(out _))
        {
        }
    }
}

/// <summary>The harness itself could not run (the API did not start, bad arguments): not a durability finding.</summary>
internal sealed class HarnessException : Exception
{
    public HarnessException(string message)
        : base(message)
    {
    }

    public HarnessException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public HarnessException()
    {
    }
}
