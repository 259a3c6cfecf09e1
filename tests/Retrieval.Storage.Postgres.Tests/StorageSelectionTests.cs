using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Retrieval.Core.Jobs;
using Retrieval.Core.Storage;
using Retrieval.Hosting;

namespace Retrieval.Storage.Postgres.Tests;

/// <summary><c>Retrieval:Storage:Type</c> picks the stores in <c>AddRetrieval</c>, with the API and the worker host unchanged.</summary>
public sealed class StorageSelectionTests
{
    [Fact]
    public void AddRetrieval_TypePostgres_RegistersThePostgresStores()
    {
        using var provider = Build(new()
        {
            ["Retrieval:Storage:Type"] = "postgres",
            ["Retrieval:Storage:Postgres:ConnectionString"] = "Host=/nowhere;Username=x;Database=y",
            ["Retrieval:Storage:Postgres:Schema"] = "tenant_a",
        });

        Assert.IsType<PostgresDocumentStore>(provider.GetRequiredService<IDocumentStore>());
        Assert.IsType<PostgresVectorIndex>(provider.GetRequiredService<IVectorIndex>());
        Assert.IsType<PostgresLexicalIndex>(provider.GetRequiredService<ILexicalIndex>());
        Assert.IsType<PostgresJobQueue>(provider.GetRequiredService<IJobQueue>());
        Assert.IsType<PostgresGraphExtractionCache>(provider.GetRequiredService<Retrieval.Core.Graph.IGraphExtractionCache>());
        Assert.Equal("tenant_a", provider.GetRequiredService<PostgresDatabase>().Schema);
        Assert.Contains(provider.GetServices<IHostedService>(), service => service is PostgresJobListener);
    }

    [Fact]
    public void AddRetrieval_PostgresWithWorkerDisabled_DoesNotListenForJobs()
    {
        using var provider = Build(new()
        {
            ["Retrieval:Storage:Type"] = "postgres",
            ["Retrieval:Storage:Postgres:ConnectionString"] = "Host=/nowhere;Username=x;Database=y",
            ["Retrieval:Worker:Enabled"] = "false",
        });

        Assert.DoesNotContain(provider.GetServices<IHostedService>(), service => service is PostgresJobListener or IngestionWorker);
    }

    [Fact]
    public void AddRetrieval_PostgresWithoutConnectionString_FailsNamingTheSetting()
    {
        using var provider = Build(new() { ["Retrieval:Storage:Type"] = "postgres" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PostgresStorageOptions>>().Value);
        Assert.Contains("Retrieval:Storage:Postgres:ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddRetrieval_UnknownType_FailsNamingTheSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Build(new() { ["Retrieval:Storage:Type"] = "cassandra" }));
        Assert.Contains("Retrieval:Storage:Type", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddRetrieval_NoType_KeepsTheEmbeddedStore()
    {
        using var provider = Build(new() { ["Retrieval:Storage:DataDirectory"] = Path.Combine(Path.GetTempPath(), "unused") });

        Assert.Equal("SqliteDocumentStore", provider.GetRequiredService<IDocumentStore>().GetType().Name);
        Assert.Equal("SqliteGraphExtractionCache", provider.GetRequiredService<Retrieval.Core.Graph.IGraphExtractionCache>().GetType().Name);
    }

    [Fact]
    public void AddRetrieval_GraphNone_RegistersTheEmptyGraphStore()
    {
        using var provider = Build(new()
        {
            ["Retrieval:Storage:DataDirectory"] = Path.Combine(Path.GetTempPath(), "unused"),
            ["Retrieval:Storage:Graph"] = "none",
        });

        Assert.IsType<Core.Graph.EmptyGraphStore>(provider.GetRequiredService<Core.Graph.IGraphStore>());
    }

    [Theory]
    [InlineData("Retrieval:Storage:Vectors", "faiss")]
    [InlineData("Retrieval:Storage:Graph", "tigergraph")]
    public void AddRetrieval_UnknownPerConcernEngine_FailsNamingTheSetting(string key, string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Build(new() { [key] = value }));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddRetrieval(configuration);
        return services.BuildServiceProvider();
    }
}
