using System.Diagnostics;
using Microsoft.Extensions.Options;
using Retrieval.Core.Answering;
using Retrieval.Core.Diagnostics;
using Retrieval.Core.Query;
using Retrieval.Core.Security;

namespace Retrieval.Core.Graph;

/// <summary>
/// Answers a corpus-wide question (<c>mode: "global"</c>) from the caller's community summaries: the summaries of the most
/// relevant communities, one after the other, their citations renumbered into one source list, then verified sentence by
/// sentence against the cited chunks like any answer. Also the <c>global</c> search: the summaries' source chunks as hits.
/// </summary>
public sealed class GlobalGraphAnswerer
{
    private readonly GlobalGraphRetriever _retriever;
    private readonly HybridSearcher _searcher;
    private readonly IAnswerJudge _judge;
    private readonly IOptionsMonitor<GlobalGraphOptions> _options;
    private readonly IOptionsMonitor<AnswerOptions> _answerOptions;

    public GlobalGraphAnswerer(
        GlobalGraphRetriever retriever,
        HybridSearcher searcher,
        IAnswerJudge judge,
        IOptionsMonitor<GlobalGraphOptions> options,
        IOptionsMonitor<AnswerOptions> answerOptions)
    {
        _retriever = retriever;
        _searcher = searcher;
        _judge = judge;
        _options = options;
        _answerOptions = answerOptions;
    }

    /// <summary>Global search: the source chunks of the chosen communities' summaries, community by community, with the communities.</summary>
    public async Task<SearchResult> SearchAsync(Principal principal, string query, int? topK, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var k = _searcher.Validate(query, topK);
        var total = Stopwatch.StartNew();
        var global = await _retriever.RetrieveAsync(principal.ToAclFilter(), query, _options.CurrentValue.Communities, summarize: true, cancellationToken).ConfigureAwait(false);
        var hits = new List<SearchHit>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in global.Communities.Where(c => c.Summary is not null).SelectMany(c => c.Summary!.Sources))
        {
            if (hits.Count >= k || !seen.Add(source.ChunkId) || !global.Chunks.TryGetValue(source.ChunkId, out var chunk))
            {
                continue;
            }

            var rank = hits.Count + 1;
            var score = 1.0 / rank;
            hits.Add(new SearchHit(
                chunk.Chunk.Id, chunk.Chunk.DocumentId, chunk.Title, chunk.Source, chunk.Chunk.SectionPath, chunk.Chunk.Text,
                chunk.Chunk.StartOffset, chunk.Chunk.EndOffset, score,
                new Dictionary<string, RetrieverScore>(StringComparer.Ordinal) { [RetrievalModes.Global] = new(score, rank) }));
        }

        var timings = new Dictionary<string, double>(global.Timings, StringComparer.Ordinal) { ["totalMs"] = total.Elapsed.TotalMilliseconds };
        RetrievalTelemetry.SearchDuration.Record(timings["totalMs"], new KeyValuePair<string, object?>("mode", RetrievalModes.Global));
        return new SearchResult(hits, timings) { Communities = global.Communities };
    }

    /// <summary>Global ask: the community summaries as the answer, verified against the chunks they cite.</summary>
    public async Task<AnswerResult> AskAsync(Principal principal, string question, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        _searcher.Validate(question, null);
        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.ask.global");
        var total = Stopwatch.StartNew();
        var global = await _retriever.RetrieveAsync(principal.ToAclFilter(), question, _options.CurrentValue.Communities, summarize: true, cancellationToken).ConfigureAwait(false);
        var timings = new Dictionary<string, double>(global.Timings, StringComparer.Ordinal);

        // One numbered source list for all summaries; each summary's [n] is renumbered into it.
        var sources = new List<AnswerSource>();
        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var sentences = new List<string>();
        var generators = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var summary in global.Communities.Select(c => c.Summary).OfType<CommunitySummary>())
        {
            generators.Add(summary.Generator);
            foreach (var (text, citations) in AnswerVerifier.SplitWithCitations(summary.Text))
            {
                var renumbered = new List<int>();
                foreach (var n in citations)
                {
                    if (summary.Sources.FirstOrDefault(s => s.Index == n) is not { } source || !global.Chunks.TryGetValue(source.ChunkId, out var chunk))
                    {
                        continue;
                    }

                    if (!indexOf.TryGetValue(source.ChunkId, out var index))
                    {
                        index = sources.Count + 1;
                        indexOf.Add(source.ChunkId, index);
                        sources.Add(new AnswerSource(index, chunk.Chunk.Id, chunk.Chunk.DocumentId, chunk.Title, chunk.Chunk.Text));
                    }

                    renumbered.Add(index);
                }

                if (renumbered.Count > 0)
                {
                    sentences.Add(AnswerText.WithCitation(text, renumbered));
                }
            }
        }

        var generator = generators.Count == 0 ? ExtractiveCommunitySummarizer.SummarizerName : string.Join('+', generators);
        if (sentences.Count == 0)
        {
            RetrievalTelemetry.Abstentions.Add(1, new KeyValuePair<string, object?>("reason", AbstentionReasons.NoRelevantSources));
            timings["totalMs"] = total.Elapsed.TotalMilliseconds;
            return new AnswerResult("I cannot answer this from the documents you can access.", [], true, AbstentionReasons.NoRelevantSources, new SupportReport(0, []), generator, timings);
        }

        var answer = string.Join(" ", sentences);
        var verify = Stopwatch.StartNew();
        // The configured judge (lexical, or the LLM judge with its floor and lexical fallback), as for any other ask.
        var support = await _judge.JudgeAsync(answer, sources, cancellationToken).ConfigureAwait(false);
        timings["verifyMs"] = verify.Elapsed.TotalMilliseconds;
        RetrievalTelemetry.AnswerSupport.Record(support.Ratio, new KeyValuePair<string, object?>("generator", generator));
        var kept = support.Sentences.Where(s => s.Supported).ToList();
        timings["totalMs"] = total.Elapsed.TotalMilliseconds;
        if (support.Ratio < _answerOptions.CurrentValue.MinSupportRatio || kept.Count == 0)
        {
            RetrievalTelemetry.Abstentions.Add(1, new KeyValuePair<string, object?>("reason", AbstentionReasons.InsufficientSupport));
            return new AnswerResult("I cannot answer this reliably: the sources found do not support an answer.", [], true, AbstentionReasons.InsufficientSupport, support, generator, timings);
        }

        if (kept.Count < support.Sentences.Count)
        {
            support = support with
            {
                Sentences = [.. support.Sentences.Select(s => s.Supported ? s : s with { Removed = true })],
                Removed = support.Sentences.Count - kept.Count,
            };
        }

        var cited = sources
            .Where(s => kept.Any(x => x.Citations.Contains(s.Index)))
            .Select(s => new Citation(s.Index, s.ChunkId, s.DocumentId, s.Title, string.Join(" ", kept
                .Where(x => x.EvidenceSource == s.Index && x.Evidence is not null)
                .Select(x => x.Evidence!)
                .Distinct(StringComparer.Ordinal))))
            .ToList();
        return new AnswerResult(AnswerText.Render(kept), cited, false, null, support, generator, timings);
    }
}
