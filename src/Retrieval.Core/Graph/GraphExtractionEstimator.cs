using Microsoft.Extensions.Options;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Chunking;
using Retrieval.Core.Ingestion.Parsing;
using Retrieval.Core.Jobs;
using Retrieval.Core.Options;

namespace Retrieval.Core.Graph;

/// <summary>
/// What LLM graph extraction of a job will cost at most, computed before the job is queued: every document is parsed and
/// chunked as ingestion will, and each chunk is charged the prompt (instructions plus its tokens) and the whole completion
/// cap. Cache hits are not subtracted (the estimate is an upper bound, and it tells the submitter nothing about what
/// others ingested). Tokens are counted with the embedding model's tokenizer, a close stand-in for the LLM's.
/// </summary>
/// <param name="Extractor">The extractor the job will use.</param>
/// <param name="Documents">Documents estimated.</param>
/// <param name="UnreadableDocuments">Documents that could not be parsed (they will fail in the job and cost nothing).</param>
/// <param name="Cost">In the configured price's currency, rounded to 6 decimals; null when no price is configured.</param>
/// <param name="MaxTokensPerJob">The budget (<c>Retrieval:Graph:Llm:MaxTokensPerJob</c>); null when unlimited.</param>
public sealed record GraphExtractionEstimate(
    string Extractor,
    int Documents,
    int UnreadableDocuments,
    int Chunks,
    long PromptTokens,
    long CompletionTokens,
    long TotalTokens,
    double? Cost,
    long? MaxTokensPerJob,
    bool OverBudget);

public sealed class GraphExtractionEstimator
{
    private readonly DocumentParsers _parsers;
    private readonly ITextTokenizer _tokenizer;
    private readonly JobPaths _paths;
    private readonly IGraphStore _graph;
    private readonly IEnumerable<IGraphExtractor> _extractors;
    private readonly IOptionsMonitor<GraphOptions> _graphOptions;
    private readonly IOptionsMonitor<GraphLlmOptions> _llmOptions;
    private readonly IOptionsMonitor<IngestionOptions> _ingestion;

    public GraphExtractionEstimator(
        DocumentParsers parsers,
        ITextTokenizer tokenizer,
        JobPaths paths,
        IGraphStore graph,
        IEnumerable<IGraphExtractor> extractors,
        IOptionsMonitor<GraphOptions> graphOptions,
        IOptionsMonitor<GraphLlmOptions> llmOptions,
        IOptionsMonitor<IngestionOptions> ingestion)
    {
        _parsers = parsers;
        _tokenizer = tokenizer;
        _paths = paths;
        _graph = graph;
        _extractors = extractors;
        _graphOptions = graphOptions;
        _llmOptions = llmOptions;
        _ingestion = ingestion;
    }

    /// <summary>The extractor ingestion uses now, or null when no graph is built.</summary>
    public IGraphExtractor? ActiveExtractor()
    {
        var mode = _graphOptions.CurrentValue.Extraction;
        return !_graph.StoresGraph || mode == GraphOptions.NoExtraction ? null : _extractors.LastOrDefault(e => e.Mode == mode);
    }

    /// <summary>The estimate of a job, or null when its extraction calls no model (fast, none).</summary>
    public async Task<GraphExtractionEstimate?> EstimateAsync(IReadOnlyList<JobItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var extractor = ActiveExtractor();
        if (extractor is null || extractor.CostPerChunk(0).Total == 0)
        {
            return null;
        }

        var ingestion = _ingestion.CurrentValue;
        int documents = 0, unreadable = 0, chunks = 0;
        long prompt = 0, completion = 0;
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var counts = await ChunkTokensAsync(item, ingestion, cancellationToken).ConfigureAwait(false);
            if (counts is null)
            {
                unreadable++;
                continue;
            }

            documents++;
            foreach (var tokens in counts)
            {
                var cost = extractor.CostPerChunk(tokens);
                prompt += cost.Prompt;
                completion += cost.Completion;
                chunks++;
            }
        }

        var options = _llmOptions.CurrentValue;
        double? price = options.PricePer1kPromptTokens is null && options.PricePer1kCompletionTokens is null
            ? null
            : Math.Round((prompt * (options.PricePer1kPromptTokens ?? 0) / 1000.0) + (completion * (options.PricePer1kCompletionTokens ?? 0) / 1000.0), 6);
        var budget = options.MaxTokensPerJob > 0 ? options.MaxTokensPerJob : (long?)null;
        var total = prompt + completion;
        return new GraphExtractionEstimate(extractor.Name, documents, unreadable, chunks, prompt, completion, total, price, budget, total > budget);
    }

    private async Task<IReadOnlyList<int>?> ChunkTokensAsync(JobItem item, IngestionOptions options, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.ParseTimeout);
        try
        {
            var content = item.Content ?? await _paths.ReadAsync(item.ServerPath!, limit.Token).ConfigureAwait(false);
            var parsed = _parsers.Parse(content, item.Source, item.ContentType, limit.Token);
            return TextChunker.Chunk(parsed, _tokenizer, options.ChunkTokens, options.OverlapTokens, limit.Token).Select(c => c.TokenCount).ToList();
        }
        catch (Exception ex) when (ex is ValidationException or IOException or UnauthorizedAccessException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }
}
