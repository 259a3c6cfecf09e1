using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using Retrieval.Core.Answering;
using Retrieval.Core.Diagnostics;

namespace Retrieval.Llm;

/// <summary>
/// Judges answer sentences with the configured LLM (<c>Retrieval:Verification:Judge=llm</c>): one call per answer
/// through the same resilient chat client as answering (retries, attempt timeout, circuit breaker), with the cited
/// sources fenced. The lexical verifier runs first: its deterministic checks are a floor the LLM cannot overrule
/// (no citation, a source that was not given, a number or negation the sources lack), and its verdicts stand for the
/// sentences over the cap, and for the whole answer when the LLM fails or replies with anything but the verdict JSON
/// (<see cref="SupportReport.JudgeFallback"/>). Judging never fails an ask.
/// </summary>
public sealed partial class LlmAnswerJudge : IAnswerJudge
{
    public const string JudgeName = "llm";
    public const string Malformed = "judge_malformed";

    private readonly AnswerVerifier _verifier;
    private readonly IChatCompletionService _chat;
    private readonly IOptionsMonitor<VerificationOptions> _options;
    private readonly IOptionsMonitor<LlmOptions> _llm;
    private readonly ILogger<LlmAnswerJudge> _logger;

    public LlmAnswerJudge(
        AnswerVerifier verifier,
        IChatCompletionService chat,
        IOptionsMonitor<VerificationOptions> options,
        IOptionsMonitor<LlmOptions> llm,
        ILogger<LlmAnswerJudge> logger)
    {
        _verifier = verifier;
        _chat = chat;
        _options = options;
        _llm = llm;
        _logger = logger;
    }

    public string Name => JudgeName;

    public async Task<SupportReport> JudgeAsync(string answer, IReadOnlyList<AnswerSource> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(sources);
        var lexical = await _verifier.VerifyAsync(answer, sources, cancellationToken).ConfigureAwait(false);
        var options = _options.CurrentValue;
        var floors = lexical.Sentences.Select(s => AnswerVerifier.FloorIssue(s.Text, s.Citations, sources)).ToList();
        var (batch, sourcesBlock) = Batch(lexical.Sentences, floors, sources, options);
        if (batch.Count == 0)
        {
            // Nothing a judge could rule on: no sentence cites anything.
            return lexical with { Judge = JudgeName };
        }

        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.answer.judge");
        activity?.SetTag("retrieval.judge.sentences", batch.Count);
        IReadOnlyDictionary<int, JudgeVerdict> verdicts;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(options.Timeout ?? _llm.CurrentValue.Timeout);
            try
            {
                var reply = await _chat.GetChatMessageContentAsync(JudgePrompt.Build(sourcesBlock, batch.Select(b => b.Sentence).ToList()), Settings(options), kernel: null, deadline.Token)
                    .ConfigureAwait(false);
                verdicts = JudgePrompt.Parse(reply.Content, batch.Select(b => b.Sentence.Id).ToList());
            }
            catch (JudgeReplyException ex)
            {
                return Fallback(lexical, Malformed, ex.Message, ex);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                return Fallback(lexical, AbstentionReasons.LlmUnavailable, deadline.IsCancellationRequested ? "timed out" : ex.GetType().Name, ex);
            }
        }

        var sentences = lexical.Sentences.ToList();
        foreach (var (sentence, index) in batch)
        {
            var verdict = verdicts[sentence.Id];
            var lexicalVerdict = sentences[index];
            sentences[index] = floors[index] is { } floor
                ? lexicalVerdict with { Supported = false, Issue = floor, JudgeReason = verdict.Reason }
                : lexicalVerdict with
                {
                    Supported = verdict.Verdict == JudgeVerdict.Supported,
                    Issue = verdict.Verdict switch
                    {
                        JudgeVerdict.Supported => null,
                        JudgeVerdict.Contradicted => SupportIssues.Contradicted,
                        _ => SupportIssues.JudgeUnsupported,
                    },
                    JudgeReason = verdict.Reason,
                };
        }

        activity?.SetTag("retrieval.judge.overruled_by_floor", batch.Count(b => floors[b.Index] is not null && verdicts[b.Sentence.Id].Verdict == JudgeVerdict.Supported));
        var ratio = sentences.Count == 0 ? 0 : (double)sentences.Count(s => s.Supported) / sentences.Count;
        return new SupportReport(Math.Round(ratio, 4), sentences) { Judge = JudgeName };
    }

    /// <summary>
    /// The sentences the judge sees: those that cite something (a sentence without a citation is decided by the floor),
    /// in order, up to <see cref="VerificationOptions.MaxSentences"/> and the prompt budget, with the given sources they
    /// cite. A sentence that fails the floor (a source that was not given, a number or negation the sources lack) still
    /// goes, so the judge's reason is reported, but no verdict can make it supported.
    /// </summary>
    private static (List<(JudgedSentence Sentence, int Index)> Batch, string Sources) Batch(
        IReadOnlyList<SentenceSupport> sentences, List<string?> floors, IReadOnlyList<AnswerSource> sources, VerificationOptions options)
    {
        var batch = new List<(JudgedSentence, int)>();
        var cited = new SortedDictionary<int, AnswerSource>();
        var sourcesBlock = string.Empty;
        var sentenceChars = 0;
        for (var i = 0; i < sentences.Count && batch.Count < options.MaxSentences; i++)
        {
            if (floors[i] is SupportIssues.NoCitation)
            {
                continue;
            }

            var sentence = new JudgedSentence(batch.Count + 1, sentences[i].Text, sentences[i].Citations);
            var withSources = new SortedDictionary<int, AnswerSource>(cited);
            foreach (var source in sources.Where(s => sentence.Citations.Contains(s.Index)))
            {
                withSources[source.Index] = source;
            }

            var block = withSources.Count == cited.Count ? sourcesBlock : JudgePrompt.Sources(withSources.Values);
            var chars = JudgePrompt.Fence(sentence).Length;
            if (batch.Count > 0 && block.Length + sentenceChars + chars > options.MaxPromptChars)
            {
                break;
            }

            batch.Add((sentence, i));
            cited = withSources;
            sourcesBlock = block;
            sentenceChars += chars;
        }

        return (batch, sourcesBlock);
    }

    private static OpenAIPromptExecutionSettings Settings(VerificationOptions options) => new()
    {
        MaxTokens = options.MaxTokens,
        Temperature = 0,
        ResponseFormat = options.JsonMode ? "json_object" : null,
    };

    private SupportReport Fallback(SupportReport lexical, string reason, string what, Exception exception)
    {
        Log.Fallback(_logger, reason, what, exception);
        RetrievalTelemetry.JudgeFallbacks.Add(1, new KeyValuePair<string, object?>("judge", JudgeName), new KeyValuePair<string, object?>("reason", reason));
        return lexical with { Judge = LexicalAnswerJudge.JudgeName, JudgeFallback = reason };
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "LLM judge could not decide ({Reason}: {What}); the lexical verdicts stand")]
        public static partial void Fallback(ILogger logger, string reason, string what, Exception exception);
    }
}
