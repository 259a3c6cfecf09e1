using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Retrieval.Core.Diagnostics;

namespace Retrieval.Ingestion.Worker;

internal static class WorkerTelemetry
{
    /// <summary>
    /// Traces and metrics of the "Retrieval" source and meter (ingestion stages, <see cref="WorkerMetrics"/>) plus
    /// runtime metrics, exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set. The worker serves no HTTP, so there
    /// is no Prometheus endpoint; without OTLP the instruments can still be read with dotnet-counters.
    /// </summary>
    public static IServiceCollection AddWorkerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("retrieval-worker"))
            .WithMetrics(metrics => metrics.AddMeter(RetrievalTelemetry.Name).AddRuntimeInstrumentation().AddOtlpExporter())
            .WithTracing(tracing => tracing.AddSource(RetrievalTelemetry.Name).AddOtlpExporter());
        return services;
    }
}
