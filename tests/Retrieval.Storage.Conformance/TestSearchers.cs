using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Retrieval.Core.Graph;
using Retrieval.Core.Options;
using Retrieval.Core.Query;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Conformance;

/// <summary>
/// A <see cref="HybridSearcher"/> over given indexes with <see cref="TestData.Embed"/> as the embedding model, no graph
/// and default options: for tests of the query pipeline against real store indexes.
/// </summary>
public static class TestSearchers
{
    public static HybridSearcher WithoutGraph(IVectorIndex vectorIndex, ILexicalIndex lexicalIndex, IDocumentStore store)
    {
        var services = new ServiceCollection().AddOptions().BuildServiceProvider();
        var embeddings = new BagOfWordsEmbeddings();
        return new HybridSearcher(
            embeddings,
            vectorIndex,
            lexicalIndex,
            store,
            new GraphRetriever(new EmptyGraphStore(), new EntityNameEmbeddings(embeddings), services.GetRequiredService<IOptionsMonitor<GraphOptions>>()),
            new TopicBridge(new EmptyGraphStore(), store),
            services.GetRequiredService<IOptionsMonitor<QueryOptions>>(),
            services.GetRequiredService<IOptionsMonitor<GraphOptions>>(),
            NullLogger<HybridSearcher>.Instance);
    }

    /// <summary><see cref="TestData.Embed"/> (a deterministic bag-of-words vector) as an embedding generator.</summary>
    private sealed class BagOfWordsEmbeddings : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(TestData.Embed(v)))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
