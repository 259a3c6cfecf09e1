using System.Diagnostics.Metrics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI.Chat;
using Retrieval.Core.Diagnostics;
using Retrieval.Core.Documents;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Graph;
using Retrieval.Core.Ingestion;

namespace Retrieval.Llm;

/// <summary>
/// Graph extraction by the configured LLM (<c>Retrieval:Graph:Extraction=llm</c>): one GraphRAG-style request per chunk
/// over the same resilient chat client as answers (timeouts, retries, circuit breaker), the chunk fenced as untrusted data.
/// Replies are parsed defensively and grounded in the chunk (<see cref="LlmGraphReply"/>); a chunk whose request fails,
/// times out or returns anything unusable falls back to fast extraction (counted and logged), and the document's graph is
/// then marked so its next ingest retries. Grounded results are cached by tenant, chunk text, model and prompt version,
/// so re-ingesting unchanged text makes no call. The output is per chunk, like fast extraction's, so the store keeps every
/// entity and relation supported by chunks and the ACL rules apply unchanged.
/// </summary>
public sealed partial class LlmGraphExtractor : IGraphExtractor
{
    /// <summary>Suffix of <see cref="Name"/> on a graph some of whose chunks fell back to fast extraction.</summary>
    public const string PartialSuffix = "+fast";

    private static readonly Counter<long> Requests = RetrievalTelemetry.Meter.CreateCounter<long>(
        "retrieval.graph.llm.requests", null, "LLM graph extraction requests by outcome (ok, timeout, llm_error, empty, malformed_json, schema).");

    private static readonly Counter<long> Fallbacks = RetrievalTelemetry.Meter.CreateCounter<long>(
        "retrieval.graph.llm.fallbacks", null, "Chunks whose graph came from fast extraction instead of the LLM, by reason.");

    private static readonly Counter<long> CacheLookups = RetrievalTelemetry.Meter.CreateCounter<long>(
        "retrieval.graph.llm.cache", null, "LLM graph extraction cache lookups by result (hit, miss).");

    private static readonly Counter<long> Dropped = RetrievalTelemetry.Meter.CreateCounter<long>(
        "retrieval.graph.llm.dropped", null, "Entities and relations the LLM returned that the chunk text does not support (dropped by grounding).");

    private static readonly Counter<long> Tokens = RetrievalTelemetry.Meter.CreateCounter<long>(
        "retrieval.graph.llm.tokens", null, "Tokens used by LLM graph extraction, as reported by the endpoint (kind: prompt, completion).");

    private readonly IChatCompletionService _chat;
    private readonly IOptionsMonitor<LlmOptions> _llm;
    private readonly IOptionsMonitor<GraphLlmOptions> _options;
    private readonly IGraphExtractionCache _cache;
    private readonly ITextTokenizer _tokenizer;
    private readonly ILogger<LlmGraphExtractor> _logger;
    private int _promptOverhead = -1;

    public LlmGraphExtractor(
        IChatCompletionService chat,
        IOptionsMonitor<LlmOptions> llm,
        IOptionsMonitor<GraphLlmOptions> options,
        IGraphExtractionCache cache,
        ITextTokenizer tokenizer,
        ILogger<LlmGraphExtractor> logger)
    {
        _chat = chat;
        _llm = llm;
        _options = options;
        _cache = cache;
        _tokenizer = tokenizer;
        _logger = logger;
    }

    public string Mode => GraphOptions.LlmExtraction;

    public string Name => $"llm:{LlmGraphPrompt.Version}:{_llm.CurrentValue.Model}";

    public GraphTokenCost CostPerChunk(int chunkTokens)
    {
        if (_promptOverhead < 0)
        {
            var options = _options.CurrentValue;
            _promptOverhead = _tokenizer.CountTokens(LlmGraphPrompt.SystemPrompt(options.MaxEntitiesPerChunk)) + _tokenizer.CountTokens(LlmGraphPrompt.UserMessage(string.Empty)) + 16;
        }

        return new GraphTokenCost(_promptOverhead + chunkTokens, _options.CurrentValue.MaxCompletionTokens);
    }

    /// <summary>The cache key of a chunk's extraction: everything the reply depends on, hashed.</summary>
    public string CacheKey(string tenant, string chunkText) => CacheKeyOfHash(tenant, ChunkId.ContentHash(chunkText));

    private string CacheKeyOfHash(string tenant, string chunkHash) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('\n', LlmGraphPrompt.Version, _llm.CurrentValue.Model, _options.CurrentValue.MaxEntitiesPerChunk.ToString(CultureInfo.InvariantCulture), tenant, chunkHash))));

    public async Task<DocumentGraph> ExtractAsync(string tenant, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var options = _options.CurrentValue;
        var hashes = chunks.Select(c => ChunkId.ContentHash(c.Text)).ToList();
        var keys = hashes.Select(h => CacheKeyOfHash(tenant, h)).ToList();
        var cached = await _cache.GetAsync(keys.Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
        var results = new ChunkExtraction?[chunks.Count];
        var misses = new List<int>();
        for (var i = 0; i < chunks.Count; i++)
        {
            if (cached.TryGetValue(keys[i], out var json) && LlmGraphReply.TryParse(json, out var extraction, out _))
            {
                results[i] = extraction;
            }
            else
            {
                misses.Add(i);
            }
        }

        CacheLookups.Add(chunks.Count - misses.Count, new KeyValuePair<string, object?>("result", "hit"));
        CacheLookups.Add(misses.Count, new KeyValuePair<string, object?>("result", "miss"));

        // Identical chunk texts in one document are requested once.
        var requests = misses.GroupBy(i => keys[i], StringComparer.Ordinal).Select(g => g.ToList()).ToList();
        var estimate = requests.Sum(g => CostPerChunk(chunks[g[0]].TokenCount).Total);
        if (options.MaxTokensPerDocument > 0 && estimate > options.MaxTokensPerDocument)
        {
            if (options.OverBudget == GraphLlmOptions.FailOverBudget)
            {
                throw new DocumentParseException(string.Create(CultureInfo.InvariantCulture,
                    $"LLM graph extraction of this document is estimated at up to {estimate} tokens ({requests.Count} chunks), over the budget of {options.MaxTokensPerDocument} (Retrieval:Graph:Llm:MaxTokensPerDocument)."));
            }

            Log.OverBudget(_logger, estimate, options.MaxTokensPerDocument);
            Fallbacks.Add(misses.Count, new KeyValuePair<string, object?>("reason", "over_budget"));
            return FastGraphExtractor.Extract(chunks.Select(c => (c.Id, c.Text)).ToList(), cancellationToken);
        }

        var failures = new string?[chunks.Count];
        using (var gate = new SemaphoreSlim(options.MaxParallelRequests))
        {
            await Task.WhenAll(requests.Select(async group =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    var (result, failure) = await ExtractChunkAsync(chunks[group[0]], options, cancellationToken).ConfigureAwait(false);
                    foreach (var i in group)
                    {
                        (results[i], failures[i]) = (result, failure);
                    }

                    if (result is not null)
                    {
                        // Cached as soon as it arrives: a document cut off by its deadline or a crash resumes from here. The
                        // chunk hash ties the row to the text: the store deletes it with the last chunk holding that text.
                        await _cache.PutAsync(tenant, [new GraphExtractionCacheEntry(keys[group[0]], hashes[group[0]], LlmGraphReply.Serialize(result))], CancellationToken.None)
                            .ConfigureAwait(false);
                    }
                }
                finally
                {
                    gate.Release();
                }
            })).ConfigureAwait(false);
        }

        DocumentGraph? fast = null;
        var graphs = new List<ChunkGraph>(chunks.Count);
        var fellBack = 0;
        for (var i = 0; i < chunks.Count; i++)
        {
            ChunkGraph? graph;
            if (results[i] is { } extraction)
            {
                graph = LlmGraphReply.ToChunkGraph(chunks[i].Id, chunks[i].Text, extraction);
            }
            else
            {
                fellBack++;
                Fallbacks.Add(1, new KeyValuePair<string, object?>("reason", failures[i]));
                Log.FellBack(_logger, chunks[i].Id, failures[i] ?? "unknown");
                fast ??= FastGraphExtractor.Extract(chunks.Select(c => (c.Id, c.Text)).ToList(), cancellationToken);
                graph = fast.Chunks.FirstOrDefault(g => g.ChunkId == chunks[i].Id);
            }

            if (graph is not null)
            {
                graphs.Add(graph);
            }
        }

        Log.Extracted(_logger, chunks.Count, chunks.Count - misses.Count, fellBack);
        return new DocumentGraph(fellBack == 0 ? Name : Name + PartialSuffix, graphs);
    }

    /// <summary>
    /// The ingest of <paramref name="chunks"/> failed after extraction began: their cached rows go now unless a stored chunk
    /// of the tenant holds the same text (another document, or the version the failed ingest would have replaced).
    /// </summary>
    public async Task DiscardAsync(string tenant, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var hashes = chunks.Select(c => ChunkId.ContentHash(c.Text)).Distinct(StringComparer.Ordinal).ToList();
        var deleted = await _cache.PurgeUnheldAsync(tenant, hashes, cancellationToken).ConfigureAwait(false);
        if (deleted > 0)
        {
            GraphTelemetry.ExtractionCachePurged.Add(deleted, new KeyValuePair<string, object?>("reason", "failed_ingest"));
            Log.Discarded(_logger, deleted, chunks.Count);
        }
    }

    private async Task<(ChunkExtraction? Result, string? Failure)> ExtractChunkAsync(ChunkRecord chunk, GraphLlmOptions options, CancellationToken cancellationToken)
    {
        var llm = _llm.CurrentValue;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(llm.Timeout);
        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.graph.llm.extract");
        string? content;
        try
        {
            var settings = new OpenAIPromptExecutionSettings { MaxTokens = options.MaxCompletionTokens, Temperature = 0 };
            if (options.JsonMode)
            {
                settings.ResponseFormat = "json_object";
            }

            var reply = await _chat.GetChatMessageContentAsync(LlmGraphPrompt.Build(chunk.Text, options.MaxEntitiesPerChunk), settings, kernel: null, deadline.Token)
                .ConfigureAwait(false);
            content = reply.Content;
            if (reply.Metadata?.TryGetValue("Usage", out var usage) == true && usage is ChatTokenUsage tokens)
            {
                Tokens.Add(tokens.InputTokenCount, new KeyValuePair<string, object?>("kind", "prompt"));
                Tokens.Add(tokens.OutputTokenCount, new KeyValuePair<string, object?>("kind", "completion"));
            }
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var reason = deadline.IsCancellationRequested ? "timeout" : "llm_error";
            Requests.Add(1, new KeyValuePair<string, object?>("outcome", reason));
            Log.RequestFailed(_logger, chunk.Id, ex.GetType().Name);
            return (null, reason);
        }

        if (!LlmGraphReply.TryParse(content, out var parsed, out var failure))
        {
            Requests.Add(1, new KeyValuePair<string, object?>("outcome", failure));
            return (null, failure);
        }

        Requests.Add(1, new KeyValuePair<string, object?>("outcome", "ok"));
        var (grounded, droppedEntities, droppedRelations) = LlmGraphReply.Ground(parsed, chunk.Text, options.MaxEntitiesPerChunk, options.MaxRelationsPerChunk);
        if (droppedEntities + droppedRelations > 0)
        {
            Dropped.Add(droppedEntities, new KeyValuePair<string, object?>("kind", "entity"));
            Dropped.Add(droppedRelations, new KeyValuePair<string, object?>("kind", "relation"));
            Log.DroppedUngrounded(_logger, chunk.Id, droppedEntities, droppedRelations);
        }

        return (grounded, null);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "LLM graph extraction of chunk {ChunkId} fell back to fast extraction: {Reason}")]
        public static partial void FellBack(ILogger logger, string chunkId, string reason);

        [LoggerMessage(2, LogLevel.Warning, "LLM graph extraction request for chunk {ChunkId} failed: {Error}")]
        public static partial void RequestFailed(ILogger logger, string chunkId, string error);

        [LoggerMessage(3, LogLevel.Information, "LLM graph extraction dropped {Entities} entities and {Relations} relations of chunk {ChunkId} not supported by its text")]
        public static partial void DroppedUngrounded(ILogger logger, string chunkId, int entities, int relations);

        [LoggerMessage(4, LogLevel.Warning, "LLM graph extraction of a document estimated at {Estimate} tokens is over Retrieval:Graph:Llm:MaxTokensPerDocument ({Budget}); fast extraction builds its graph")]
        public static partial void OverBudget(ILogger logger, long estimate, long budget);

        [LoggerMessage(5, LogLevel.Debug, "LLM graph extraction of {Chunks} chunks: {CacheHits} from the cache, {FellBack} fell back to fast extraction")]
        public static partial void Extracted(ILogger logger, int chunks, int cacheHits, int fellBack);

        [LoggerMessage(6, LogLevel.Information, "LLM graph extraction cache: deleted {Rows} rows of a document whose ingest failed ({Chunks} chunks); no stored chunk holds their text")]
        public static partial void Discarded(ILogger logger, int rows, int chunks);
    }
}
