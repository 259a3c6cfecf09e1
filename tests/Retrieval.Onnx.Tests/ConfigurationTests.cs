using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Options;

namespace Retrieval.Onnx.Tests;

/// <summary>Bad settings fail at start-up, naming the setting.</summary>
public sealed class ConfigurationTests
{
    [Fact]
    public void Create_ModelPathDoesNotExist_FailsNamingModelPath()
    {
        var options = new EmbeddingOptions { ModelPath = "/nonexistent/models/bge-small/model.onnx", ExecutionProvider = "cpu" };

        var e = Assert.Throws<InvalidOperationException>(() => OnnxEmbeddingGenerator.Create(options));

        Assert.Contains("Retrieval:Embeddings:ModelPath", e.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/models/bge-small/model.onnx", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ModelPathWithoutVocab_FailsNamingVocabPath()
    {
        var directory = Directory.CreateTempSubdirectory("retrieval-onnx-");
        try
        {
            var model = Path.Combine(directory.FullName, "model.onnx");
            File.WriteAllBytes(model, [0]);

            var e = Assert.Throws<InvalidOperationException>(() => OnnxEmbeddingGenerator.Create(new EmbeddingOptions { ModelPath = model }));

            Assert.Contains("Retrieval:Embeddings:VocabPath", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Create_UnknownModel_FailsNamingModel()
    {
        var e = Assert.Throws<InvalidOperationException>(() => OnnxEmbeddingGenerator.Create(new EmbeddingOptions { Model = "bert-huge" }));

        Assert.Contains("Retrieval:Embeddings:Model 'bert-huge'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("")]
    public void Create_UnknownExecutionProvider_FailsNamingExecutionProvider(string provider)
    {
        var e = Assert.Throws<InvalidOperationException>(() => OnnxEmbeddingGenerator.Create(new EmbeddingOptions { ExecutionProvider = provider }));

        Assert.Contains("Retrieval:Embeddings:ExecutionProvider", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_BadPooling_FailsNamingPooling()
    {
        var directory = Directory.CreateTempSubdirectory("retrieval-onnx-");
        try
        {
            File.WriteAllBytes(Path.Combine(directory.FullName, "model.onnx"), [0]);
            File.WriteAllText(Path.Combine(directory.FullName, "vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n");

            var e = Assert.Throws<InvalidOperationException>(() => OnnxEmbeddingGenerator.Create(
                new EmbeddingOptions { ModelPath = Path.Combine(directory.FullName, "model.onnx"), Pooling = "max" }));

            Assert.Contains("Retrieval:Embeddings:Pooling", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [NoCudaDeviceFact]
    public void Create_CudaRequestedWithoutGpu_FailsWithClearMessage()
    {
        var e = Assert.Throws<InvalidOperationException>(() => OnnxEmbeddingGenerator.Create(new EmbeddingOptions { Model = "minilm", ExecutionProvider = "cuda" }));

        Assert.Contains("Retrieval:Embeddings:ExecutionProvider is 'cuda'", e.Message, StringComparison.Ordinal);
        Assert.Contains("CUDA execution provider cannot be used", e.Message, StringComparison.Ordinal);
        Assert.Contains("'cpu'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddOnnxEmbeddings_BadModelPath_FailsOnFirstResolveNotOnRegistration()
    {
        var services = new ServiceCollection();
        services.Configure<EmbeddingOptions>(o => o.ModelPath = "/nonexistent/model.onnx");
        services.AddOnnxEmbeddings();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());

        Assert.Contains("Retrieval:Embeddings:ModelPath", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ITextTokenizer>());
    }
}
