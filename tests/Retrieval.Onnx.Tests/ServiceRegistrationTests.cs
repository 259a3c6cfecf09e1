using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Core.Embeddings;

namespace Retrieval.Onnx.Tests;

[Collection(ModelsCollection.Name)]
public sealed class ServiceRegistrationTests(ModelsFixture models)
{
    [Fact]
    public void AddOnnxEmbeddings_ResolvedInterfaces_AreOneConfiguredSingleton()
    {
        var generator = models.Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        Assert.Same(models.MiniLm, generator);
        Assert.Same(generator, models.Services.GetRequiredService<IEmbeddingModelInfo>());
        Assert.Same(generator, models.Services.GetRequiredService<ITextTokenizer>());
        Assert.Equal("minilm", models.Services.GetRequiredService<IEmbeddingModelInfo>().ModelId);
    }

    [Fact]
    public void AddOnnxEmbeddings_CalledTwice_RegistersOnce()
    {
        var services = new ServiceCollection();
        services.AddOnnxEmbeddings();
        services.AddOnnxEmbeddings();

        Assert.Single(services, d => d.ServiceType == typeof(IEmbeddingGenerator<string, Embedding<float>>));
        Assert.Single(services, d => d.ServiceType == typeof(ITextTokenizer));
        Assert.All(services.Where(d => d.ServiceType == typeof(OnnxEmbeddingGenerator)), d => Assert.Equal(ServiceLifetime.Singleton, d.Lifetime));
    }
}
