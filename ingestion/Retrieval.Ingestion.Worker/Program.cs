using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration.Memory;
using Retrieval.Core.Jobs;
using Retrieval.Hosting;
using Retrieval.Hosting.Warmup;
using Retrieval.Ingestion.Worker;

// The ingestion worker as its own process: claims jobs from the queue (PostgreSQL when several workers share it:
// Retrieval:Storage:Type=postgres), runs the ingestion pipeline, and exits cleanly on SIGTERM, releasing its job.
// It serves only /health/live, /health/ready and /metrics (for Kubernetes probes and Prometheus), on the address in
// ASPNETCORE_URLS / --urls; without one it listens on a free loopback port, so several workers share a machine.
var builder = WebApplication.CreateSlimBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:0");
}

// Defaults that configuration may override: the demo corpus is the API's business.
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?> { ["Retrieval:Demo:Enabled"] = "false" },
});

builder.Configuration.AddRetrievalLoggingDefaults();

// Running the worker is the point of this process, whatever the shared configuration says for the API.
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [WorkerOptions.Section + ":Enabled"] = "true" });

builder.Services.AddRetrieval(builder.Configuration);
builder.Services.AddRetrievalWarmup(builder.Configuration, servesQueries: false);
builder.Services.AddRetrievalTelemetry(builder.Configuration, "retrieval-worker");
builder.Services.AddHostedService<WorkerMetrics>();

// Leaves time for the current document to finish and the job to be released (IngestionWorker) on shutdown.
builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(30));

var app = builder.Build();
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") });
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResultStatusCodes = Readiness.StatusCodes() });
app.MapPrometheusScrapingEndpoint();

await app.RunAsync();
