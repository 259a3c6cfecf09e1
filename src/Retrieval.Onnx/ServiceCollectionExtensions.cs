using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Options;

namespace Retrieval.Onnx;

public static class OnnxEmbeddingServiceCollectionExtensions
{
    /// <summary>
    /// Registers one shared <see cref="OnnxEmbeddingGenerator"/>, configured by <see cref="IOptions{EmbeddingOptions}"/>
    /// (bind <see cref="EmbeddingOptions.Section"/> separately), as <see cref="IEmbeddingGenerator{String, Embedding}"/>,
    /// <see cref="IEmbeddingModelInfo"/> and <see cref="ITextTokenizer"/>. The model is loaded on first resolve.
    /// </summary>
    public static IServiceCollection AddOnnxEmbeddings(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<EmbeddingOptions>();
        services.TryAddSingleton(sp => OnnxEmbeddingGenerator.Create(
            sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value,
            sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<OnnxEmbeddingGenerator>());
        services.TryAddSingleton<IEmbeddingModelInfo>(sp => sp.GetRequiredService<OnnxEmbeddingGenerator>());
        services.TryAddSingleton<ITextTokenizer>(sp => sp.GetRequiredService<OnnxEmbeddingGenerator>());
        return services;
    }
}
