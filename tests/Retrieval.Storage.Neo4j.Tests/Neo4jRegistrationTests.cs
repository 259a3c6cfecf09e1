using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Retrieval.Core.Graph;
using Retrieval.Core.Storage;
using Retrieval.Hosting;

namespace Retrieval.Storage.Neo4j.Tests;

/// <summary><c>Retrieval:Storage:Graph=neo4j</c> (or <c>Type=distributed</c>) puts the graph in Neo4j, behind the same API.</summary>
public sealed class Neo4jRegistrationTests
{
    private static readonly string DataDirectory = Path.Combine(Path.GetTempPath(), "retrieval-neo4j-unused");

    [Fact]
    public void AddRetrieval_GraphNeo4j_ReadsFromNeo4jAndProjectsEveryWrite()
    {
        using var provider = Build(new()
        {
            ["Retrieval:Storage:DataDirectory"] = DataDirectory,
            ["Retrieval:Storage:Graph"] = "neo4j",
            ["Retrieval:Storage:Neo4j:Password"] = "secret",
        });

        Assert.IsType<Neo4jGraphStore>(provider.GetRequiredService<IGraphStore>());
        Assert.IsType<Neo4jGraphProjection>(Assert.Single(provider.GetServices<IIndexProjection>()));
        var store = Assert.IsType<ProjectingDocumentStore>(provider.GetRequiredService<IDocumentStore>());
        Assert.Equal("SqliteDocumentStore", store.Inner.GetType().Name);
        Assert.Contains(provider.GetServices<IHostedService>(), service => service is Neo4jSchemaInitializer);
        var options = provider.GetRequiredService<IOptions<Neo4jOptions>>().Value;
        Assert.Equal("http://localhost:7474", options.Endpoint);
        Assert.Equal("neo4j", options.Database);
        Assert.Equal(new Uri("http://localhost:7474/db/neo4j/query/v2"), provider.GetRequiredService<Neo4jQueryClient>().QueryUri);
    }

    [Fact]
    public void AddRetrieval_TypeDistributed_PutsTheGraphInNeo4jOverPostgres()
    {
        using var provider = Build(new()
        {
            ["Retrieval:Storage:Type"] = "distributed",
            ["Retrieval:Storage:Vectors"] = "store", // Qdrant is registered by its own backend
            ["Retrieval:Storage:Postgres:ConnectionString"] = "Host=/nowhere;Username=x;Database=y",
            ["Retrieval:Storage:Neo4j:Endpoint"] = "http://neo4j:7474/",
            ["Retrieval:Storage:Neo4j:Database"] = "graph",
            ["Retrieval:Storage:Neo4j:Password"] = "secret",
        });

        Assert.IsType<Neo4jGraphStore>(provider.GetRequiredService<IGraphStore>());
        var store = Assert.IsType<ProjectingDocumentStore>(provider.GetRequiredService<IDocumentStore>());
        Assert.Equal("PostgresDocumentStore", store.Inner.GetType().Name);
        Assert.Equal(new Uri("http://neo4j:7474/db/graph/query/v2"), provider.GetRequiredService<Neo4jQueryClient>().QueryUri);
    }

    [Fact]
    public async Task AddRetrieval_GraphNeo4j_ReadinessIncludesNeo4jAndRevealsNothingElse()
    {
        var handler = new FakeNeo4jHandler(_ => new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable));
        using var provider = Build(new()
        {
            ["Retrieval:Storage:DataDirectory"] = DataDirectory,
            ["Retrieval:Storage:Graph"] = "neo4j",
            ["Retrieval:Storage:Neo4j:Password"] = "secret",
            ["Retrieval:Storage:Neo4j:MaxRetries"] = "0",
        }, services => services.AddHttpClient(Neo4jQueryClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler));
        var health = provider.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>();

        var report = await health.CheckHealthAsync(check => check.Name == "neo4j");

        var entry = Assert.Single(report.Entries).Value;
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("neo4j unreachable", entry.Description);
        Assert.Null(entry.Exception);
        Assert.Equal("RETURN 1 AS ok", Assert.Single(handler.Requests).Statement);
    }

    [Fact]
    public void AddRetrieval_GraphStore_KeepsTheStoresOwnGraph()
    {
        using var provider = Build(new() { ["Retrieval:Storage:DataDirectory"] = DataDirectory });

        Assert.IsNotType<Neo4jGraphStore>(provider.GetRequiredService<IGraphStore>());
        Assert.Empty(provider.GetServices<IIndexProjection>());
    }

    [Theory]
    [InlineData("Retrieval:Storage:Neo4j:Endpoint", "localhost:7474")]
    [InlineData("Retrieval:Storage:Neo4j:Endpoint", "bolt://localhost:7687")]
    [InlineData("Retrieval:Storage:Neo4j:Database", "neo4j/../system")]
    [InlineData("Retrieval:Storage:Neo4j:Password", "")]
    [InlineData("Retrieval:Storage:Neo4j:AttemptTimeout", "00:00:00")]
    [InlineData("Retrieval:Storage:Neo4j:MaxRetries", "50")]
    public void AddRetrieval_InvalidNeo4jSetting_FailsNamingTheSetting(string key, string value)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Retrieval:Storage:DataDirectory"] = DataDirectory,
            ["Retrieval:Storage:Graph"] = "neo4j",
            ["Retrieval:Storage:Neo4j:Password"] = "secret",
        };
        settings[key] = value;
        using var provider = Build(settings);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<Neo4jOptions>>().Value);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddRetrieval(configuration);
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }
}
