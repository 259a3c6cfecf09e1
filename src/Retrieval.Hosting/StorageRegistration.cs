using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Retrieval.Core.Jobs;
using Retrieval.Storage.Embedded;
using Retrieval.Storage.Postgres;

namespace Retrieval.Hosting;

/// <summary>
/// Chooses the stores by <c>Retrieval:Storage:Type</c>: <c>embedded</c> (default: one SQLite file, zero setup) or
/// <c>postgres</c> (documents, chunks, full-text search and the job queue in PostgreSQL, for an API and any number of
/// worker processes on several machines; connection in <c>Retrieval:Storage:Postgres:ConnectionString</c>).
/// </summary>
internal static class StorageRegistration
{
    public const string TypeKey = "Retrieval:Storage:Type";
    public const string JobsSection = "Retrieval:Jobs";

    public static IServiceCollection AddRetrievalStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var type = configuration[TypeKey]?.Trim();
        switch (type?.ToLowerInvariant())
        {
            case null or "" or "embedded":
                services.AddOptions<JobQueueOptions>().BindConfiguration(JobsSection);
                services.AddEmbeddedStorage();
                break;
            case "postgres" or "postgresql":
                services.AddOptions<PostgresStorageOptions>().BindConfiguration(PostgresStorageOptions.Section).ValidateOnStart();
                services.AddSingleton<IValidateOptions<PostgresStorageOptions>>(new SectionValidator<PostgresStorageOptions>(PostgresStorageOptions.Section));
                services.AddOptions<JobQueueOptions>().BindConfiguration(JobsSection);
                services.AddPostgresStorage(listenForJobs: configuration.GetValue(WorkerOptions.Section + ":Enabled", true));
                break;
            default:
                throw new OptionsValidationException(
                    TypeKey, typeof(string), [$"{TypeKey}: '{type}' is not a storage type; use 'embedded' or 'postgres'."]);
        }

        return services;
    }
}
