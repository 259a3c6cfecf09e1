using Microsoft.Extensions.Configuration.Memory;
using Retrieval.Core.Jobs;
using Retrieval.Hosting;
using Retrieval.Ingestion.Worker;

// The ingestion worker as its own process: claims jobs from the queue (PostgreSQL when several workers share it:
// Retrieval:Storage:Type=postgres), runs the ingestion pipeline, and exits cleanly on SIGTERM, releasing its job.
var builder = Host.CreateApplicationBuilder(args);

// Defaults that configuration may override: the demo corpus is the API's business.
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?> { ["Retrieval:Demo:Enabled"] = "false" },
});

// Running the worker is the point of this process, whatever the shared configuration says for the API.
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [WorkerOptions.Section + ":Enabled"] = "true" });

builder.Services.AddRetrieval(builder.Configuration);
builder.Services.AddWorkerTelemetry(builder.Configuration);
builder.Services.AddHostedService<WorkerMetrics>();

// Leaves time for the current document to finish and the job to be released (IngestionWorker) on shutdown.
builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(30));

await builder.Build().RunAsync();
