using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Diagnostics;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Graph;
using Retrieval.Core.Options;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Core.Query;

/// <summary>
/// The query pipeline's retrieval stage, shared by the REST API, the CLI's local mode and the evaluation tool:
/// runs the retrievers of the requested mode in parallel, each with the caller's ACL filter pushed down,
/// fuses them with weighted RRF and hydrates the winners (again through the ACL filter).
/// </summary>
public sealed partial class HybridSearcher
{
    private static readonly EmbeddingGenerationOptions QueryEmbeddingOptions = new()
    {
        AdditionalProperties = new() { [EmbeddingInputType.Key] = EmbeddingInputType.Query },
    };

    private readonly IEmbeddingGenerator<string, Embedding<float>> _embeddings;
    private readonly IVectorIndex _vectors;
    private readonly ILexicalIndex _lexical;
    private readonly IDocumentStore _documents;
    private readonly GraphRetriever _graph;
    private readonly TopicBridge _bridge;
    private readonly IOptionsMonitor<QueryOptions> _options;
    private readonly IOptionsMonitor<GraphOptions> _graphOptions;
    private readonly ILogger<HybridSearcher> _logger;

    public HybridSearcher(
        IEmbeddingGenerator<string, Embedding<float>> embeddings,
        IVectorIndex vectors,
        ILexicalIndex lexical,
        IDocumentStore documents,
        GraphRetriever graph,
        TopicBridge bridge,
        IOptionsMonitor<QueryOptions> options,
        IOptionsMonitor<GraphOptions> graphOptions,
        ILogger<HybridSearcher> logger)
    {
        _embeddings = embeddings;
        _vectors = vectors;
        _lexical = lexical;
        _documents = documents;
        _graph = graph;
        _bridge = bridge;
        _options = options;
        _graphOptions = graphOptions;
        _logger = logger;
    }

    /// <summary>Validates the query and top-k against the configured limits; returns the effective top-k.</summary>
    public int Validate(string? query, int? topK)
    {
        var options = _options.CurrentValue;
        if (string.IsNullOrWhiteSpace(query))
        {
            throw new ValidationException("The query must not be empty.");
        }

        if (query.Length > options.MaxQueryLength)
        {
            throw new ValidationException($"The query is {query.Length} characters long; the limit is {options.MaxQueryLength} (Retrieval:Query:MaxQueryLength).");
        }

        var k = topK ?? options.DefaultTopK;
        if (k < 1 || k > options.MaxTopK)
        {
            throw new ValidationException($"topK must be between 1 and {options.MaxTopK} (Retrieval:Query:MaxTopK).");
        }

        return k;
    }

    public Task<SearchResult> SearchAsync(Principal principal, string query, int? topK, RetrievalMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return SearchAsync(principal.ToAclFilter(), query, topK, mode, cancellationToken);
    }

    /// <summary>
    /// Searches through an ACL filter, which only <see cref="AclFilter.For"/> (a validated principal) or
    /// <see cref="AclFilter.Nothing"/> (the start-up warm-up) can make.
    /// </summary>
    public async Task<SearchResult> SearchAsync(AclFilter filter, string query, int? topK, RetrievalMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var k = Validate(query, topK);
        var options = _options.CurrentValue;
        var candidates = Math.Max(k, options.CandidatesPerRetriever);
        var timings = new Dictionary<string, double>(StringComparer.Ordinal);
        var total = Stopwatch.StartNew();

        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.search");
        activity?.SetTag("retrieval.mode", mode.Name());
        activity?.SetTag("retrieval.top_k", k);
        LogSearch(_logger, mode.Name(), k, query);

        // The graph runs beside the others, or after them when it uses their best chunks: as passage seeds
        // (PassageSeedShare) or as the entities to link by name embedding (EmbeddingLinks).
        var graphOptions = _graphOptions.CurrentValue;
        var seededGraph = mode.Uses(RetrievalMode.Graph) && (graphOptions.PassageSeedShare > 0 || graphOptions.EmbeddingLinks > 0)
            && (mode.Uses(RetrievalMode.Dense) || mode.Uses(RetrievalMode.Lexical));
        // Started first and on the thread pool: the embedding model and SQLite complete synchronously, so a graph task
        // started after the passages would begin only once dense and BM25 had finished on this thread.
        var graphTask = mode.Uses(RetrievalMode.Graph) && !seededGraph
            ? Task.Run(() => RunGraphAsync(filter, query, candidates, [], ReadOnlyMemory<float>.Empty, timings, cancellationToken), cancellationToken)
            : Task.FromResult<GraphRetrieval?>(null);

        // An index that holds both (Qdrant) answers dense and lexical in one round trip; fusion stays here either way.
        var passagesTask = mode.Uses(RetrievalMode.Dense) && mode.Uses(RetrievalMode.Lexical)
            && _vectors is IHybridIndex hybrid && ReferenceEquals(hybrid.Lexical, _lexical)
            ? RunHybridAsync(hybrid, filter, query, candidates, timings, cancellationToken)
            : RunPassagesAsync(mode, filter, query, candidates, timings, cancellationToken);
        await Task.WhenAll(passagesTask, graphTask).ConfigureAwait(false);
        var (dense, lexical, queryEmbedding) = await passagesTask.ConfigureAwait(false);
        GraphRetrieval? graph;
        if (seededGraph)
        {
            // Dense similarities weight the seeds when a temperature is set; otherwise the fused ranks do.
            var seeds = graphOptions.PassageSeedTemperature > 0 && dense.Count > 0
                ? dense.Take(graphOptions.PassageSeeds).ToList()
                : ReciprocalRankFusion.Fuse(
                    [new RankedList(RetrievalModes.Dense, options.DenseWeight, dense), new RankedList(RetrievalModes.Lexical, options.LexicalWeight, lexical)],
                    options.RrfK, graphOptions.PassageSeeds).Select(f => new ScoredChunk(f.ChunkId, f.Score)).ToList();
            // Without the dense retriever the embedding is computed for the graph's linking only; it is not reported on the
            // result, whose QueryEmbedding means "dense scores are present" to the answer pipeline's relevance gate.
            var linkEmbedding = queryEmbedding.IsEmpty && graphOptions.EmbeddingLinks > 0
                ? await EmbedQueryAsync(query, cancellationToken).ConfigureAwait(false)
                : queryEmbedding;
            graph = await RunGraphAsync(filter, query, candidates, seeds, linkEmbedding, timings, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            graph = await graphTask.ConfigureAwait(false);
        }

        var fusion = Stopwatch.StartNew();
        var lists = new List<RankedList>(3);
        if (mode.Uses(RetrievalMode.Dense))
        {
            lists.Add(new RankedList(RetrievalModes.Dense, options.DenseWeight, dense));
        }

        if (mode.Uses(RetrievalMode.Lexical))
        {
            lists.Add(new RankedList(RetrievalModes.Lexical, options.LexicalWeight, lexical));
        }

        if (mode.Uses(RetrievalMode.Graph))
        {
            var graphChunks = graph?.Chunks ?? [];
            if (graphOptions.AgreementTop > 0 && graphChunks.Count > 0 && !Agrees(graphChunks, dense.Count > 0 ? dense : lexical, graphOptions.AgreementTop))
            {
                graphChunks = [];
                timings["graphGated"] = 1;
            }

            lists.Add(new RankedList(RetrievalModes.Graph, options.GraphWeight, graphChunks));
        }

        var bridging = mode.Uses(RetrievalMode.Graph) && graphOptions.BridgeWeight > 0
            && (mode.Uses(RetrievalMode.Dense) || mode.Uses(RetrievalMode.Lexical));
        var fused = ReciprocalRankFusion.Fuse(lists, options.RrfK, bridging ? int.MaxValue : k);
        timings["fusionMs"] = fusion.Elapsed.TotalMilliseconds;
        IReadOnlyDictionary<string, BridgeTarget> bridged = new Dictionary<string, BridgeTarget>(StringComparer.Ordinal);
        if (bridging)
        {
            (fused, bridged) = await BridgeAsync(filter, query, fused, k, graphOptions, timings, cancellationToken).ConfigureAwait(false);
        }

        var hydrate = Stopwatch.StartNew();
        var stored = await _documents.GetChunksAsync(filter, fused.Select(f => f.ChunkId).ToList(), cancellationToken).ConfigureAwait(false);
        var byId = stored.ToDictionary(c => c.Chunk.Id, StringComparer.Ordinal);
        var hits = new List<SearchHit>(fused.Count);
        foreach (var result in fused)
        {
            // Defence in depth: a chunk the store will not hydrate for this filter is never returned.
            if (!byId.TryGetValue(result.ChunkId, out var chunk))
            {
                continue;
            }

            // A single-retriever search reports that retriever's own score; hybrid reports the fused score.
            var score = lists.Count == 1 ? result.Scores.Values.First().Score : result.Score;
            hits.Add(new SearchHit(
                chunk.Chunk.Id, chunk.Chunk.DocumentId, chunk.Title, chunk.Source, chunk.Chunk.SectionPath, chunk.Chunk.Text,
                chunk.Chunk.StartOffset, chunk.Chunk.EndOffset, score, result.Scores)
            {
                Graph = Explain(
                    graph is not null && result.Scores.ContainsKey(RetrievalModes.Graph) ? graph.Explanations.GetValueOrDefault(result.ChunkId) : null,
                    bridged.GetValueOrDefault(result.ChunkId)),
            });
        }

        timings["hydrateMs"] = hydrate.Elapsed.TotalMilliseconds;
        timings["totalMs"] = total.Elapsed.TotalMilliseconds;
        RetrievalTelemetry.SearchDuration.Record(timings["totalMs"], new KeyValuePair<string, object?>("mode", mode.Name()));
        activity?.SetTag("retrieval.results", hits.Count);
        return new SearchResult(hits, timings) { QueryEmbedding = queryEmbedding };
    }

    /// <summary>
    /// Topic bridging (<see cref="GraphOptions.BridgeWeight"/>): lifts the chunks <see cref="TopicBridge"/> finds for the top
    /// fused passages by BridgeWeight × the top fused score ÷ the passage's rank, re-sorts and keeps <paramref name="k"/>.
    /// </summary>
    private async Task<(IReadOnlyList<FusedResult> Fused, IReadOnlyDictionary<string, BridgeTarget> Bridged)> BridgeAsync(
        AclFilter filter, string query, IReadOnlyList<FusedResult> fused, int k, GraphOptions graphOptions, Dictionary<string, double> timings,
        CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var bridged = new Dictionary<string, BridgeTarget>(StringComparer.Ordinal);
        if (fused.Count == 0)
        {
            return (fused, bridged);
        }

        var passages = fused.Take(graphOptions.BridgePassages).Select(f => f.ChunkId).ToList();
        var targets = await _bridge.FindAsync(filter, query, passages, graphOptions, cancellationToken).ConfigureAwait(false);
        var top = fused[0].Score;
        var byId = fused.ToDictionary(f => f.ChunkId, StringComparer.Ordinal);
        foreach (var target in targets)
        {
            var boost = graphOptions.BridgeWeight * top / (target.PassageRank + 1);
            var scores = byId.TryGetValue(target.ChunkId, out var existing)
                ? new Dictionary<string, RetrieverScore>(existing.Scores, StringComparer.Ordinal)
                : new Dictionary<string, RetrieverScore>(StringComparer.Ordinal);
            scores[RetrievalModes.Bridge] = new RetrieverScore(boost, target.PassageRank + 1);
            byId[target.ChunkId] = new FusedResult(target.ChunkId, (existing?.Score ?? 0) + boost, scores);
            bridged[target.ChunkId] = target;
        }

        var result = targets.Count == 0 ? fused.Take(k).ToList() : ReciprocalRankFusion.Order(byId.Values).Take(k).ToList();
        timings["graphBridgeMs"] = watch.Elapsed.TotalMilliseconds;
        return (result, bridged);
    }

    /// <summary>
    /// The agreement gate (<see cref="GraphOptions.AgreementTop"/>): true when the graph's top <paramref name="top"/> and the
    /// reference list's top <paramref name="top"/> share a chunk, or when there is no reference list (graph alone).
    /// </summary>
    internal static bool Agrees(IReadOnlyList<ScoredChunk> graph, IReadOnlyList<ScoredChunk> reference, int top)
    {
        if (reference.Count == 0)
        {
            return true;
        }

        var head = reference.Take(top).Select(r => r.ChunkId).ToHashSet(StringComparer.Ordinal);
        return graph.Take(top).Any(g => head.Contains(g.ChunkId));
    }

    /// <summary>The PageRank explanation of a chunk; for a bridged chunk, the bridge entity first and the passage it came from.</summary>
    private static GraphExplanation? Explain(GraphExplanation? ranked, BridgeTarget? bridge)
    {
        if (bridge is null)
        {
            return ranked;
        }

        var steps = new List<GraphPathStep> { new(bridge.Entity.Id, bridge.Entity.Name, false, null) };
        steps.AddRange((ranked?.Entities ?? []).Where(e => e.EntityId != bridge.Entity.Id));
        return new GraphExplanation(steps) { FromPassage = bridge.PassageId };
    }

    public async Task<ReadOnlyMemory<float>> EmbedQueryAsync(string query, CancellationToken cancellationToken)
    {
        var embedding = await _embeddings.GenerateAsync([query], QueryEmbeddingOptions, cancellationToken).ConfigureAwait(false);
        return embedding[0].Vector;
    }

    private async Task<(IReadOnlyList<ScoredChunk> Dense, IReadOnlyList<ScoredChunk> Lexical, ReadOnlyMemory<float> Vector)> RunPassagesAsync(
        RetrievalMode mode, AclFilter filter, string query, int candidates, Dictionary<string, double> timings, CancellationToken cancellationToken)
    {
        if (!mode.Uses(RetrievalMode.Lexical))
        {
            if (!mode.Uses(RetrievalMode.Dense))
            {
                return ([], [], ReadOnlyMemory<float>.Empty);
            }

            var (denseOnly, vectorOnly) = await RunDenseAsync(filter, query, candidates, timings, cancellationToken).ConfigureAwait(false);
            return (denseOnly, [], vectorOnly);
        }

        if (!mode.Uses(RetrievalMode.Dense))
        {
            var (lexicalOnly, lexicalOnlyMs) = await RunLexicalAsync(filter, query, candidates, cancellationToken).ConfigureAwait(false);
            lock (timings)
            {
                timings["lexicalMs"] = lexicalOnlyMs;
            }

            return ([], lexicalOnly, ReadOnlyMemory<float>.Empty);
        }

        // The embedding model and SQLite complete synchronously, so two tasks created one after the other here would run
        // one after the other. BM25 (the cheaper, a few ms) is offered to an idle pool thread while this one embeds the
        // query and scans the vectors; if none has taken it by then, this thread runs it (no worse than in sequence).
        var lexical = OverlappedWork<(IReadOnlyList<ScoredChunk>, double)>.Start(() => RunLexicalAsync(filter, query, candidates, cancellationToken));
        var denseTask = RunDenseAsync(filter, query, candidates, timings, cancellationToken);
        var lexicalTask = lexical.JoinAsync();
        await Task.WhenAll(denseTask, lexicalTask).ConfigureAwait(false);
        var (dense, vector) = await denseTask.ConfigureAwait(false);
        var (lexicalResults, lexicalMs) = await lexicalTask.ConfigureAwait(false);
        // Recorded after the dense stages whichever finished first, so the timings keep one order.
        lock (timings)
        {
            timings["lexicalMs"] = lexicalMs;
        }

        return (dense, lexicalResults, vector);
    }

    private async Task<(IReadOnlyList<ScoredChunk> Dense, IReadOnlyList<ScoredChunk> Lexical, ReadOnlyMemory<float> Vector)> RunHybridAsync(
        IHybridIndex hybrid, AclFilter filter, string query, int candidates, Dictionary<string, double> timings, CancellationToken cancellationToken)
    {
        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.retriever.hybrid");
        var watch = Stopwatch.StartNew();
        var vector = await EmbedQueryAsync(query, cancellationToken).ConfigureAwait(false);
        var embedMs = watch.Elapsed.TotalMilliseconds;
        var results = await hybrid.SearchBothAsync(filter, vector, query, candidates, cancellationToken).ConfigureAwait(false);
        lock (timings)
        {
            timings["embedMs"] = embedMs;
            timings["hybridMs"] = watch.Elapsed.TotalMilliseconds - embedMs;
        }

        RetrievalTelemetry.RetrieverDuration.Record(watch.Elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("retriever", "hybrid"));
        return (results.Dense, results.Lexical, vector);
    }

    private async Task<(IReadOnlyList<ScoredChunk>, ReadOnlyMemory<float>)> RunDenseAsync(
        AclFilter filter, string query, int candidates, Dictionary<string, double> timings, CancellationToken cancellationToken)
    {
        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.retriever.dense");
        var watch = Stopwatch.StartNew();
        var vector = await EmbedQueryAsync(query, cancellationToken).ConfigureAwait(false);
        var embedMs = watch.Elapsed.TotalMilliseconds;
        var results = await _vectors.SearchAsync(filter, vector, candidates, cancellationToken).ConfigureAwait(false);
        lock (timings)
        {
            timings["embedMs"] = embedMs;
            timings["denseMs"] = watch.Elapsed.TotalMilliseconds - embedMs;
        }

        RetrievalTelemetry.RetrieverDuration.Record(watch.Elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("retriever", RetrievalModes.Dense));
        return (results, vector);
    }

    /// <summary>BM25 and its time in milliseconds, which the caller records.</summary>
    private async Task<(IReadOnlyList<ScoredChunk> Results, double Milliseconds)> RunLexicalAsync(
        AclFilter filter, string query, int candidates, CancellationToken cancellationToken)
    {
        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.retriever.lexical");
        var watch = Stopwatch.StartNew();
        var results = await _lexical.SearchAsync(filter, query, candidates, cancellationToken).ConfigureAwait(false);
        var elapsed = watch.Elapsed.TotalMilliseconds;
        RetrievalTelemetry.RetrieverDuration.Record(elapsed, new KeyValuePair<string, object?>("retriever", RetrievalModes.Lexical));
        return (results, elapsed);
    }

    private async Task<GraphRetrieval?> RunGraphAsync(
        AclFilter filter, string query, int candidates, IReadOnlyList<ScoredChunk> passageSeeds, ReadOnlyMemory<float> queryEmbedding,
        Dictionary<string, double> timings, CancellationToken cancellationToken)
    {
        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.retriever.graph");
        var watch = Stopwatch.StartNew();
        var result = await _graph.RetrieveAsync(filter, query, candidates, passageSeeds, queryEmbedding, cancellationToken).ConfigureAwait(false);
        activity?.SetTag("retrieval.graph.linked", result.Linked.Count);
        lock (timings)
        {
            timings["graphMs"] = watch.Elapsed.TotalMilliseconds;
            foreach (var (name, ms) in result.Timings)
            {
                timings[name] = ms;
            }
        }

        RetrievalTelemetry.RetrieverDuration.Record(watch.Elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("retriever", RetrievalModes.Graph));
        return result;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Search mode={Mode} topK={TopK} query={Query}")]
    private static partial void LogSearch(ILogger logger, string mode, int topK, string query);
}
