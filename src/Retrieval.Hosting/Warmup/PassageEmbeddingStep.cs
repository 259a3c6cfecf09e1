using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Options;

namespace Retrieval.Hosting.Warmup;

/// <summary>
/// For a process that ingests: embeds <see cref="WarmupOptions.Queries"/> synthetic passages of several lengths as
/// documents, in batches of the ingestion's own batch size, so the model's batch shapes and ONNX Runtime's arena are
/// set up before the first job. Nothing is stored.
/// </summary>
internal sealed class PassageEmbeddingStep(
    IEmbeddingGenerator<string, Embedding<float>> embeddings, IOptions<WarmupOptions> options, IOptions<IngestionOptions> ingestion) : IWarmupStep
{
    private static readonly EmbeddingGenerationOptions PassageOptions = new()
    {
        AdditionalProperties = new() { [EmbeddingInputType.Key] = EmbeddingInputType.Document },
    };

    public string Name => "passages";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var count = options.Value.Queries;
        var batchSize = Math.Max(1, ingestion.Value.EmbeddingBatchSize);
        var batches = 0;
        for (var start = 0; start < count; start += batchSize)
        {
            var texts = Enumerable.Range(start, Math.Min(batchSize, count - start))
                .Select(i => SyntheticText.Of(SyntheticText.PassageWords[i % SyntheticText.PassageWords.Length], i))
                .ToList();
            _ = await embeddings.GenerateAsync(texts, PassageOptions, cancellationToken).ConfigureAwait(false);
            batches++;
        }

        return $"{count} passages in {batches} batches";
    }
}
