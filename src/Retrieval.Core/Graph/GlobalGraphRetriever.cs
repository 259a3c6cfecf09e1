using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Answering;
using Retrieval.Core.Diagnostics;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Core.Graph;

/// <summary>
/// Global graph retrieval for corpus-wide questions ("what are the main themes?"), GraphRAG's idea written for a
/// permission-aware store: communities (Louvain) over the entity graph <b>as the caller may see it</b> — readable mentions
/// and relation weights summed over readable chunks only — so neither membership nor any name, count or weight can rest
/// on an unreadable chunk. Each community is summarized from its most central readable chunks (extractively, or by the
/// LLM when one is configured), and summaries are cached by the exact chunks they were written from, never by community.
/// </summary>
public sealed partial class GlobalGraphRetriever
{
    private static readonly Histogram<double> Duration = RetrievalTelemetry.Meter.CreateHistogram<double>(
        "retrieval.graph.global.duration", "ms", "Time to detect the caller's communities and summarize the chosen ones.");

    private static readonly Counter<long> Summaries = RetrievalTelemetry.Meter.CreateCounter<long>(
        "retrieval.graph.global.summaries", null, "Community summaries served, by generator and whether the cache had them.");

    private readonly IGraphStore _store;
    private readonly IDocumentStore _documents;
    private readonly ICommunitySummarizer _summarizer;
    private readonly ExtractiveCommunitySummarizer _extractive;
    private readonly CommunitySummaryCache _cache;
    private readonly AnswerVerifier _verifier;
    private readonly IOptionsMonitor<GlobalGraphOptions> _options;
    private readonly ILogger<GlobalGraphRetriever> _logger;

    public GlobalGraphRetriever(
        IGraphStore store,
        IDocumentStore documents,
        ICommunitySummarizer summarizer,
        ExtractiveCommunitySummarizer extractive,
        CommunitySummaryCache cache,
        AnswerVerifier verifier,
        IOptionsMonitor<GlobalGraphOptions> options,
        ILogger<GlobalGraphRetriever> logger)
    {
        _store = store;
        _documents = documents;
        _summarizer = summarizer;
        _extractive = extractive;
        _cache = cache;
        _verifier = verifier;
        _options = options;
        _logger = logger;
    }

    /// <summary>
    /// The caller's communities, those containing entities the query names first, then the most tightly knit; the first
    /// <paramref name="limit"/> with summaries when <paramref name="summarize"/>.
    /// </summary>
    public async Task<GlobalRetrieval> RetrieveAsync(AclFilter filter, string? query, int limit, bool summarize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var options = _options.CurrentValue;
        var timings = new Dictionary<string, double>(StringComparer.Ordinal);
        var watch = Stopwatch.StartNew();
        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.retriever.global");

        var graph = await _store.GetEntityGraphAsync(filter, cancellationToken).ConfigureAwait(false);
        timings["globalGraphMs"] = watch.Elapsed.TotalMilliseconds;

        var detect = Stopwatch.StartNew();
        var entityCount = graph.Entities.Count;
        var membership = Louvain.Detect(entityCount, graph.Relations.Select(r => (r.Source, r.Target, r.Weight)).ToList(), options.Resolution);
        var internalDegree = new double[entityCount];
        var communityWeight = new Dictionary<int, double>();
        foreach (var r in graph.Relations)
        {
            if (membership[r.Source] == membership[r.Target])
            {
                internalDegree[r.Source] += r.Weight;
                internalDegree[r.Target] += r.Weight;
                communityWeight[membership[r.Source]] = communityWeight.GetValueOrDefault(membership[r.Source]) + r.Weight;
            }
        }

        var mentionsByEntity = graph.Mentions.ToLookup(m => m.Entity);
        var queryKeys = string.IsNullOrWhiteSpace(query)
            ? new HashSet<string>(StringComparer.Ordinal)
            : QueryLinker.Spans(query).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var communities = Enumerable.Range(0, entityCount)
            .GroupBy(e => membership[e])
            .Where(g => g.Count() >= options.MinCommunitySize)
            .Select(g => new Candidate(
                [.. g.OrderByDescending(e => internalDegree[e]).ThenByDescending(e => graph.Entities[e].Mentions).ThenBy(e => graph.Entities[e].Id, StringComparer.Ordinal)],
                communityWeight.GetValueOrDefault(g.Key),
                g.Where(e => queryKeys.Contains(graph.Keys[e])).Sum(e => 1 + internalDegree[e])))
            .OrderByDescending(c => c.QueryMatch)
            .ThenByDescending(c => c.Weight)
            .ThenBy(c => graph.Entities[c.Members[0]].Id, StringComparer.Ordinal)
            .ToList();
        timings["globalCommunitiesMs"] = detect.Elapsed.TotalMilliseconds;
        activity?.SetTag("retrieval.graph.communities", communities.Count);
        activity?.SetTag("retrieval.graph.entities", entityCount);

        var chosen = communities.Take(limit).ToList();
        var sourcesByCommunity = chosen.Select(c => SourceChunks(c, graph, mentionsByEntity, internalDegree, options.SourceChunks)).ToList();
        var stored = new Dictionary<string, StoredChunk>(StringComparer.Ordinal);
        var summarizeWatch = Stopwatch.StartNew();
        if (summarize && chosen.Count > 0)
        {
            // Hydrated through the caller's filter once more: a chunk the store will not return is never summarized.
            var ids = sourcesByCommunity.SelectMany(s => s).Distinct(StringComparer.Ordinal).ToList();
            foreach (var chunk in await _documents.GetChunksAsync(filter, ids, cancellationToken).ConfigureAwait(false))
            {
                stored[chunk.Chunk.Id] = chunk;
            }
        }

        var result = new List<GraphCommunity>(chosen.Count);
        for (var i = 0; i < chosen.Count; i++)
        {
            var candidate = chosen[i];
            var members = candidate.Members;
            CommunitySummary? summary = null;
            if (summarize)
            {
                var sources = sourcesByCommunity[i]
                    .Where(stored.ContainsKey)
                    .Select((id, n) => new AnswerSource(n + 1, id, stored[id].Chunk.DocumentId, stored[id].Title, stored[id].Chunk.Text))
                    .ToList();
                var keys = members.Take(20).Select(e => graph.Keys[e]).ToList();
                summary = sources.Count == 0 ? null : await SummarizeAsync(new CommunitySummaryRequest(sources, keys, options.SummarySentences), cancellationToken).ConfigureAwait(false);
            }

            var top = members.Take(10).Select(e => graph.Entities[e]).ToList();
            result.Add(new GraphCommunity(
                CommunityId(filter.Tenant, members.Select(e => graph.Entities[e].Id)),
                string.Join(", ", top.Take(3).Select(e => e.Name)),
                top,
                members.Count,
                members.SelectMany(e => mentionsByEntity[e].Select(m => m.Chunk)).Distinct().Count(),
                Math.Round(candidate.Weight, 4),
                summary));
        }

        timings["globalSummariesMs"] = summarizeWatch.Elapsed.TotalMilliseconds;
        timings["globalMs"] = watch.Elapsed.TotalMilliseconds;
        Duration.Record(watch.Elapsed.TotalMilliseconds);
        LogGlobal(_logger, entityCount, graph.Relations.Count, communities.Count, watch.Elapsed.TotalMilliseconds);
        return new GlobalRetrieval(result, communities.Count, stored, timings);
    }

    /// <summary>The community's readable chunks that mention its central entities most (Σ internal degree × (1 + ln count)).</summary>
    private static List<string> SourceChunks(Candidate community, EntityGraph graph, ILookup<int, MentionEdge> mentions, double[] internalDegree, int count)
    {
        var scores = new Dictionary<int, double>();
        foreach (var entity in community.Members)
        {
            foreach (var mention in mentions[entity])
            {
                scores[mention.Chunk] = scores.GetValueOrDefault(mention.Chunk) + ((internalDegree[entity] + 1e-6) * (1 + Math.Log(Math.Max(1, mention.Count))));
            }
        }

        return [.. scores.OrderByDescending(s => s.Value).ThenBy(s => graph.ChunkIds[s.Key], StringComparer.Ordinal).Take(count).Select(s => graph.ChunkIds[s.Key])];
    }

    private async Task<CommunitySummary> SummarizeAsync(CommunitySummaryRequest request, CancellationToken cancellationToken)
    {
        var summarizer = _summarizer;
        var key = summarizer.Name + "\n" + summarizer.CacheKey(request);
        if (!_cache.TryGet(key, out var summary))
        {
            string? text = null;
            if (!ReferenceEquals(summarizer, _extractive) && summarizer is not ExtractiveCommunitySummarizer)
            {
                try
                {
                    // A written summary is checked like an answer: sentences its cited chunks do not support are dropped.
                    var written = await summarizer.SummarizeAsync(request, cancellationToken).ConfigureAwait(false);
                    var support = await _verifier.VerifyAsync(written, request.Sources, cancellationToken).ConfigureAwait(false);
                    var kept = support.Sentences.Where(s => s.Supported).ToList();
                    text = kept.Count == 0 ? null : AnswerText.Render(kept);
                }
                catch (AnswerGeneratorUnavailableException ex)
                {
                    LogFallback(_logger, summarizer.Name, ex.Message);
                }
            }
            else
            {
                text = await summarizer.SummarizeAsync(request, cancellationToken).ConfigureAwait(false);
            }

            if (text is null)
            {
                // Not cached under the LLM's key: the next request tries the LLM again.
                summarizer = _extractive;
                key = summarizer.Name + "\n" + summarizer.CacheKey(request);
                if (_cache.TryGet(key, out var cached))
                {
                    Summaries.Add(1, new("generator", summarizer.Name), new("cached", true));
                    return cached;
                }

                text = await summarizer.SummarizeAsync(request, cancellationToken).ConfigureAwait(false);
            }

            summary = new CommunitySummary(text, [.. request.Sources.Select(s => new SummarySource(s.Index, s.ChunkId, s.DocumentId, s.Title))], summarizer.Name);
            _cache.Set(key, summary);
            Summaries.Add(1, new("generator", summarizer.Name), new("cached", false));
            return summary;
        }

        Summaries.Add(1, new("generator", summary.Generator), new("cached", true));
        return summary;
    }

    private static string CommunityId(string tenant, IEnumerable<string> entityIds) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tenant + "\u001f" + string.Join('\u001f', entityIds.Order(StringComparer.Ordinal)))).AsSpan(0, 16));

    private sealed record Candidate(List<int> Members, double Weight, double QueryMatch);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Global graph: {Entities} entities, {Relations} relations, {Communities} communities in {Ms} ms")]
    private static partial void LogGlobal(ILogger logger, int entities, int relations, int communities, double ms);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Community summary by {Summarizer} failed ({Reason}); summarizing extractively")]
    private static partial void LogFallback(ILogger logger, string summarizer, string reason);
}

/// <summary>The caller's chosen communities, how many it can see in all, and the readable chunks their summaries cite.</summary>
public sealed record GlobalRetrieval(
    IReadOnlyList<GraphCommunity> Communities,
    int Total,
    IReadOnlyDictionary<string, StoredChunk> Chunks,
    IReadOnlyDictionary<string, double> Timings);
