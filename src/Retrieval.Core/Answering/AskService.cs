using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Retrieval.Core.Diagnostics;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Options;
using Retrieval.Core.Query;
using Retrieval.Core.Security;

namespace Retrieval.Core.Answering;

/// <summary>
/// The answer pipeline: retrieve (hybrid, ACL-filtered) → relevance gate → generate with numbered sources (the LLM
/// when configured, else, or when it fails, the extractive answerer) → verify every sentence against what it cites →
/// drop or flag unsupported sentences → abstain with a reason when retrieval or support is too weak.
/// </summary>
public sealed class AskService
{
    private readonly HybridSearcher _searcher;
    private readonly IAnswerGenerator _generator;
    private readonly ExtractiveAnswerer _extractive;
    private readonly AnswerVerifier _verifier;
    private readonly IAnswerJudge _judge;
    private readonly IOptionsMonitor<QueryOptions> _queryOptions;
    private readonly IOptionsMonitor<AnswerOptions> _options;
    private readonly string _model;
    private readonly ILogger _logger;

    public AskService(
        HybridSearcher searcher,
        IAnswerGenerator generator,
        ExtractiveAnswerer extractive,
        AnswerVerifier verifier,
        IAnswerJudge judge,
        IOptionsMonitor<QueryOptions> queryOptions,
        IOptionsMonitor<AnswerOptions> options,
        IEmbeddingModelInfo? model = null,
        ILogger<AskService>? logger = null)
    {
        _searcher = searcher;
        _generator = generator;
        _extractive = extractive;
        _verifier = verifier;
        _judge = judge;
        _queryOptions = queryOptions;
        _options = options;
        _model = model?.ModelId ?? string.Empty;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The relevance threshold in force: configured, else calibrated for the embedding model.</summary>
    public double MinRelevance => _options.CurrentValue.MinRelevance ?? AnswerOptions.CalibratedMinRelevance(_model);

    /// <summary>Asks and waits for the verified answer.</summary>
    public Task<AnswerResult> AskAsync(Principal principal, string question, int? topK, CancellationToken cancellationToken) =>
        AskAsync(principal, question, topK, RetrievalMode.Hybrid, cancellationToken);

    /// <summary>Asks with sources from the retrievers of <paramref name="mode"/> and waits for the verified answer.</summary>
    public async Task<AnswerResult> AskAsync(Principal principal, string question, int? topK, RetrievalMode mode, CancellationToken cancellationToken)
    {
        AnswerResult? result = null;
        await foreach (var item in RunAsync(principal, question, topK, mode, stream: false, cancellationToken).ConfigureAwait(false))
        {
            if (item is AskCompleted completed)
            {
                result = completed.Result;
            }
        }

        return result ?? throw new InvalidOperationException("The answer pipeline ended without a result.");
    }

    /// <summary>Asks and yields the answer as it is written (<see cref="AskDelta"/>), then the verified result (<see cref="AskCompleted"/>).</summary>
    public IAsyncEnumerable<AskEvent> StreamAsync(Principal principal, string question, int? topK, CancellationToken cancellationToken) =>
        RunAsync(principal, question, topK, RetrievalMode.Hybrid, stream: true, cancellationToken);

    /// <summary>As <see cref="StreamAsync(Principal, string, int?, CancellationToken)"/>, with sources from the retrievers of <paramref name="mode"/>.</summary>
    public IAsyncEnumerable<AskEvent> StreamAsync(Principal principal, string question, int? topK, RetrievalMode mode, CancellationToken cancellationToken) =>
        RunAsync(principal, question, topK, mode, stream: true, cancellationToken);

    private async IAsyncEnumerable<AskEvent> RunAsync(
        Principal principal, string question, int? topK, RetrievalMode mode, bool stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.ask");
        var total = Stopwatch.StartNew();
        var options = _options.CurrentValue;
        var k = _searcher.Validate(question, topK ?? Math.Min(options.MaxSources, _queryOptions.CurrentValue.MaxTopK));
        activity?.SetTag("retrieval.mode", mode.Name());
        var search = await _searcher.SearchAsync(principal, question, k, mode, cancellationToken).ConfigureAwait(false);
        var timings = new Dictionary<string, double>(StringComparer.Ordinal) { ["searchMs"] = search.Timings["totalMs"] };
        var sources = search.Results.Take(options.MaxSources)
            .Select((h, i) => new AnswerSource(i + 1, h.ChunkId, h.DocumentId, h.Title, h.Text))
            .ToList();

        var relevance = Relevance(search);
        activity?.SetTag("retrieval.relevance", relevance);
        if (sources.Count == 0 || (relevance is { } r && r < MinRelevance))
        {
            yield return Complete(Abstain(AbstentionReasons.NoRelevantSources, new SupportReport(0, []), _generator.Name, null, timings), total, activity);
            yield break;
        }

        var prompt = new AnswerPrompt(question, search.QueryEmbedding, sources);
        var answerWatch = Stopwatch.StartNew();
        var generator = _generator;
        string? fallback = null;
        var text = new System.Text.StringBuilder();
        var failed = false;
        await using (var pieces = Generate(generator, prompt, stream, cancellationToken).GetAsyncEnumerator(cancellationToken))
        {
            while (true)
            {
                string? piece = null;
                try
                {
                    if (!await pieces.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    piece = pieces.Current;
                }
                catch (AnswerGeneratorUnavailableException ex)
                {
                    failed = true;
                    _logger.GeneratorUnavailable(generator.Name, ex.Message, options.FallbackToExtractive ? "answering extractively" : "abstaining");
                    break;
                }

                text.Append(piece);
                if (stream)
                {
                    yield return new AskDelta(piece);
                }
            }
        }

        if (failed)
        {
            fallback = AbstentionReasons.LlmUnavailable;
            if (!options.FallbackToExtractive || ReferenceEquals(generator, _extractive))
            {
                timings["answerMs"] = answerWatch.Elapsed.TotalMilliseconds;
                yield return Complete(Abstain(AbstentionReasons.LlmUnavailable, new SupportReport(0, []), generator.Name, fallback, timings), total, activity);
                yield break;
            }

            generator = _extractive;
            text.Clear();
            var answer = await _extractive.GenerateAsync(prompt, cancellationToken).ConfigureAwait(false);
            text.Append(answer);
            if (stream && answer.Length > 0)
            {
                yield return new AskDelta(answer);
            }
        }

        timings["answerMs"] = answerWatch.Elapsed.TotalMilliseconds;
        yield return Complete(await VerifyAsync(text.ToString(), sources, generator.Name, fallback, options, timings, cancellationToken).ConfigureAwait(false), total, activity);
    }

    private static IAsyncEnumerable<string> Generate(IAnswerGenerator generator, AnswerPrompt prompt, bool stream, CancellationToken cancellationToken) =>
        stream ? generator.StreamAsync(prompt, cancellationToken) : Once(generator, prompt, cancellationToken);

    private static async IAsyncEnumerable<string> Once(IAnswerGenerator generator, AnswerPrompt prompt, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return await generator.GenerateAsync(prompt, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AnswerResult> VerifyAsync(
        string answer, List<AnswerSource> sources, string generator, string? fallback, AnswerOptions options, Dictionary<string, double> timings, CancellationToken cancellationToken)
    {
        if (answer.Trim().Length == 0)
        {
            return Abstain(AbstentionReasons.NoRelevantSources, new SupportReport(0, []), generator, fallback, timings);
        }

        if (AnswerText.DeclinesToAnswer(answer))
        {
            return Abstain(AbstentionReasons.NotInSources, new SupportReport(0, []), generator, fallback, timings);
        }

        var verifyWatch = Stopwatch.StartNew();
        var support = await JudgeAsync(answer, sources, fallback, cancellationToken).ConfigureAwait(false);
        timings["verifyMs"] = verifyWatch.Elapsed.TotalMilliseconds;
        RetrievalTelemetry.AnswerSupport.Record(
            support.Ratio, new KeyValuePair<string, object?>("generator", generator), new KeyValuePair<string, object?>("judge", support.Judge));

        var kept = support.Sentences;
        if (options.Unsupported == UnsupportedSentencePolicy.Drop && support.Sentences.Any(s => !s.Supported))
        {
            support = support with { Sentences = support.Sentences.Select(s => s.Supported ? s : s with { Removed = true }).ToList(), Removed = support.Sentences.Count(s => !s.Supported) };
            kept = support.Sentences.Where(s => !s.Removed).ToList();
            _logger.SentencesRemoved(support.Removed, support.Sentences.Count);
            answer = AnswerText.Render(kept);
        }

        if (support.Ratio < options.MinSupportRatio || kept.Count == 0)
        {
            return Abstain(AbstentionReasons.InsufficientSupport, support, generator, fallback, timings);
        }

        return new AnswerResult(answer, Citations(kept, sources), false, null, support, generator, timings) { Fallback = fallback };
    }

    /// <summary>
    /// The configured judge's verdicts; but when the LLM already failed this ask (<paramref name="fallback"/>), an LLM
    /// judge is not tried again (it would wait out the same outage): the lexical verdicts stand, reported as a fallback.
    /// </summary>
    private async Task<SupportReport> JudgeAsync(string answer, List<AnswerSource> sources, string? fallback, CancellationToken cancellationToken)
    {
        if (fallback is null || _judge.Name == LexicalAnswerJudge.JudgeName)
        {
            return await _judge.JudgeAsync(answer, sources, cancellationToken).ConfigureAwait(false);
        }

        RetrievalTelemetry.JudgeFallbacks.Add(1, new KeyValuePair<string, object?>("judge", _judge.Name), new KeyValuePair<string, object?>("reason", fallback));
        var lexical = await _verifier.VerifyAsync(answer, sources, cancellationToken).ConfigureAwait(false);
        return lexical with { JudgeFallback = fallback };
    }

    /// <summary>The sources the answer cites, each with the source sentences that support it.</summary>
    private static List<Citation> Citations(IReadOnlyList<SentenceSupport> sentences, List<AnswerSource> sources) => sources
        .Where(s => sentences.Any(x => x.Citations.Contains(s.Index)))
        .Select(s => new Citation(s.Index, s.ChunkId, s.DocumentId, s.Title, string.Join(" ", sentences
            .Where(x => x.EvidenceSource == s.Index && x.Evidence is not null)
            .Select(x => x.Evidence!)
            .Distinct(StringComparer.Ordinal))))
        .ToList();

    /// <summary>Cosine similarity of the question to the closest retrieved passage; null when no dense retriever ran.</summary>
    private static double? Relevance(SearchResult search)
    {
        if (search.QueryEmbedding.IsEmpty)
        {
            return null;
        }

        var dense = search.Results.Where(h => h.Scores.ContainsKey(RetrievalModes.Dense)).Select(h => h.Scores[RetrievalModes.Dense].Score).ToList();
        return dense.Count == 0 ? double.NegativeInfinity : dense.Max();
    }

    private AskCompleted Complete(AnswerResult result, Stopwatch total, Activity? activity)
    {
        var timings = (Dictionary<string, double>)result.Timings;
        timings["totalMs"] = total.Elapsed.TotalMilliseconds;
        activity?.SetTag("retrieval.generator", result.Generator);
        activity?.SetTag("retrieval.abstained", result.Abstained);
        activity?.SetTag("retrieval.support_ratio", result.Support.Ratio);
        if (result.Abstained)
        {
            _logger.Abstained(result.Reason ?? "unknown", activity?.GetTagItem("retrieval.relevance") as double? ?? double.NaN, result.Support.Ratio);
        }

        return new AskCompleted(result);
    }

    private static AnswerResult Abstain(string reason, SupportReport support, string generator, string? fallback, Dictionary<string, double> timings)
    {
        RetrievalTelemetry.Abstentions.Add(1, new KeyValuePair<string, object?>("reason", reason));
        var message = reason switch
        {
            AbstentionReasons.NoRelevantSources or AbstentionReasons.NotInSources => "I cannot answer this from the documents you can access.",
            AbstentionReasons.LlmUnavailable => "I cannot answer this right now: the answer generator is unavailable.",
            _ => "I cannot answer this reliably: the sources found do not support an answer.",
        };
        return new AnswerResult(message, [], true, reason, support, generator, timings) { Fallback = fallback };
    }
}
