using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Retrieval.Core.Options;

namespace Retrieval.Onnx.Tests;

/// <summary>
/// Both shipped models, loaded once for all tests (each load takes seconds). Arctic is created directly with
/// ExecutionProvider=auto, so on a machine without CUDA it exercises the CPU fallback; MiniLM comes from the DI
/// registration with small batches, so multi-batch length sorting is exercised.
/// </summary>
public sealed class ModelsFixture : IDisposable
{
    public const int MiniLmBatchSize = 3;

    private readonly ServiceProvider _services;

    public ModelsFixture()
    {
        ArcticLog = new RecordingLoggerFactory();
        Arctic = OnnxEmbeddingGenerator.Create(new EmbeddingOptions { Model = "arctic-xs", ExecutionProvider = "auto" }, ArcticLog);

        var services = new ServiceCollection();
        services.AddLogging();
        services.Configure<EmbeddingOptions>(o =>
        {
            o.Model = "minilm";
            o.ExecutionProvider = "cpu";
            o.BatchSize = MiniLmBatchSize;
        });
        services.AddOnnxEmbeddings();
        _services = services.BuildServiceProvider();
        MiniLm = _services.GetRequiredService<OnnxEmbeddingGenerator>();
    }

    public OnnxEmbeddingGenerator Arctic { get; }

    public RecordingLoggerFactory ArcticLog { get; }

    public OnnxEmbeddingGenerator MiniLm { get; }

    public IServiceProvider Services => _services;

    public OnnxEmbeddingGenerator Get(string model) => model switch
    {
        "arctic-xs" => Arctic,
        "minilm" => MiniLm,
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, null),
    };

    public void Dispose()
    {
        Arctic.Dispose();
        _services.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ModelsCollection : ICollectionFixture<ModelsFixture>
{
    public const string Name = "Shipped embedding models";
}
