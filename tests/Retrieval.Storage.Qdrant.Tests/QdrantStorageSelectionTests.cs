using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Retrieval.Core.Storage;
using Retrieval.Hosting;

namespace Retrieval.Storage.Qdrant.Tests;

/// <summary><c>Retrieval:Storage:Vectors=qdrant</c> (and <c>Type=distributed</c>, which implies it) put search on Qdrant behind the projecting store.</summary>
public sealed class QdrantStorageSelectionTests
{
    [Fact]
    public void AddRetrieval_VectorsQdrant_RegistersQdrantIndexesAndProjectionOverTheEmbeddedStore()
    {
        using var provider = Build(new()
        {
            ["Retrieval:Storage:DataDirectory"] = Path.Combine(Path.GetTempPath(), "unused"),
            ["Retrieval:Storage:Vectors"] = "qdrant",
            ["Retrieval:Storage:Qdrant:Endpoint"] = "http://qdrant.invalid:6334",
            ["Retrieval:Storage:Qdrant:Collection"] = "chunks_arctic",
        });

        Assert.IsType<QdrantVectorIndex>(provider.GetRequiredService<IVectorIndex>());
        Assert.IsType<QdrantLexicalIndex>(provider.GetRequiredService<ILexicalIndex>());
        Assert.IsType<QdrantProjection>(Assert.Single(provider.GetServices<IIndexProjection>()));
        var store = Assert.IsType<ProjectingDocumentStore>(provider.GetRequiredService<IDocumentStore>());
        Assert.Equal("SqliteDocumentStore", store.Inner.GetType().Name);
        Assert.Equal("chunks_arctic", provider.GetRequiredService<QdrantCollection>().Name);
        Assert.Contains(provider.GetServices<IHostedService>(), service => service.GetType().Name == "QdrantCollectionInitializer");
        var hybrid = Assert.IsAssignableFrom<IHybridIndex>(provider.GetRequiredService<IVectorIndex>());
        Assert.Same(provider.GetRequiredService<ILexicalIndex>(), hybrid.Lexical);
    }

    [Fact]
    public void AddRetrieval_TypeDistributed_PutsVectorsOnQdrantAndDocumentsOnPostgres()
    {
        using var provider = Build(new()
        {
            ["Retrieval:Storage:Type"] = "distributed",
            ["Retrieval:Storage:Graph"] = "store",
            ["Retrieval:Storage:Postgres:ConnectionString"] = "Host=/nowhere;Username=x;Database=y",
            ["Retrieval:Storage:Qdrant:Endpoint"] = "http://qdrant.invalid:6334",
        });

        Assert.IsType<QdrantVectorIndex>(provider.GetRequiredService<IVectorIndex>());
        Assert.IsType<QdrantLexicalIndex>(provider.GetRequiredService<ILexicalIndex>());
        var store = Assert.IsType<ProjectingDocumentStore>(provider.GetRequiredService<IDocumentStore>());
        Assert.Equal("PostgresDocumentStore", store.Inner.GetType().Name);
    }

    [Fact]
    public void AddRetrieval_VectorsStore_RegistersNoProjection()
    {
        using var provider = Build(new() { ["Retrieval:Storage:DataDirectory"] = Path.Combine(Path.GetTempPath(), "unused") });

        Assert.Empty(provider.GetServices<IIndexProjection>());
        Assert.IsNotType<QdrantVectorIndex>(provider.GetRequiredService<IVectorIndex>());
    }

    [Theory]
    [InlineData(null, "Retrieval:Storage:Qdrant:Endpoint")]
    [InlineData("localhost:6334", "Retrieval:Storage:Qdrant:Endpoint")]
    [InlineData("ftp://qdrant:6334", "Retrieval:Storage:Qdrant:Endpoint")]
    public void AddRetrieval_QdrantWithoutValidEndpoint_FailsNamingTheSetting(string? endpoint, string setting)
    {
        using var provider = Build(new()
        {
            ["Retrieval:Storage:DataDirectory"] = Path.Combine(Path.GetTempPath(), "unused"),
            ["Retrieval:Storage:Vectors"] = "qdrant",
            ["Retrieval:Storage:Qdrant:Endpoint"] = endpoint,
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<QdrantStorageOptions>>().Value);
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Collection", "has spaces", "Retrieval:Storage:Qdrant:Collection")]
    [InlineData("Oversampling", "0.5", "Retrieval:Storage:Qdrant:Oversampling")]
    [InlineData("Bm25B", "1.5", "Retrieval:Storage:Qdrant:Bm25B")]
    [InlineData("WriteConsistencyFactor", "3", "Retrieval:Storage:Qdrant:WriteConsistencyFactor")]
    public void AddRetrieval_QdrantSettingOutOfRange_FailsNamingTheSetting(string key, string value, string setting)
    {
        using var provider = Build(new()
        {
            ["Retrieval:Storage:DataDirectory"] = Path.Combine(Path.GetTempPath(), "unused"),
            ["Retrieval:Storage:Vectors"] = "qdrant",
            ["Retrieval:Storage:Qdrant:Endpoint"] = "http://localhost:6334",
            ["Retrieval:Storage:Qdrant:" + key] = value,
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<QdrantStorageOptions>>().Value);
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
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
