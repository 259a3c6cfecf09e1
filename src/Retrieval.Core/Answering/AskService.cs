using System.Diagnostics;
using Microsoft.Extensions.Options;
using Retrieval.Core.Diagnostics;
using Retrieval.Core.Options;
using Retrieval.Core.Query;
using Retrieval.Core.Security;

namespace Retrieval.Core.Answering;

/// <summary>
/// The answer pipeline: retrieve (hybrid, ACL-filtered) → compose an answer with citations → verify every
/// sentence against what it cites → abstain with a reason when retrieval or support is too weak.
/// </summary>
public sealed class AskService
{
    /// <summary>Below this support ratio the answer is withdrawn and the response abstains.</summary>
    public const double MinSupportRatio = 0.5;

    private readonly HybridSearcher _searcher;
    private readonly ExtractiveAnswerer _extractive;
    private readonly AnswerVerifier _verifier;
    private readonly IOptionsMonitor<QueryOptions> _options;

    public AskService(HybridSearcher searcher, ExtractiveAnswerer extractive, AnswerVerifier verifier, IOptionsMonitor<QueryOptions> options)
    {
        _searcher = searcher;
        _extractive = extractive;
        _verifier = verifier;
        _options = options;
    }

    public async Task<AnswerResult> AskAsync(Principal principal, string question, int? topK, CancellationToken cancellationToken)
    {
        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.ask");
        var total = Stopwatch.StartNew();
        var k = _searcher.Validate(question, topK ?? Math.Min(5, _options.CurrentValue.MaxTopK));
        var search = await _searcher.SearchAsync(principal, question, k, RetrievalMode.Hybrid, cancellationToken).ConfigureAwait(false);
        var timings = new Dictionary<string, double>(StringComparer.Ordinal) { ["searchMs"] = search.Timings["totalMs"] };

        var answerWatch = Stopwatch.StartNew();
        var answer = search.Results.Count == 0
            ? null
            : await _extractive.AnswerAsync(question, search.Results, search.QueryEmbedding, cancellationToken).ConfigureAwait(false);
        timings["answerMs"] = answerWatch.Elapsed.TotalMilliseconds;

        AnswerResult result;
        if (answer is null)
        {
            result = Abstain(AbstentionReasons.NoRelevantSources, new SupportReport(0, []), timings);
        }
        else
        {
            var verifyWatch = Stopwatch.StartNew();
            var support = _verifier.Verify(answer.Value.Answer, answer.Value.Sources);
            timings["verifyMs"] = verifyWatch.Elapsed.TotalMilliseconds;
            RetrievalTelemetry.AnswerSupport.Record(support.Ratio, new KeyValuePair<string, object?>("generator", ExtractiveAnswerer.GeneratorName));
            result = support.Ratio < MinSupportRatio
                ? Abstain(AbstentionReasons.InsufficientSupport, support, timings)
                : new AnswerResult(answer.Value.Answer, answer.Value.Citations, false, null, support, ExtractiveAnswerer.GeneratorName, timings);
        }

        timings["totalMs"] = total.Elapsed.TotalMilliseconds;
        activity?.SetTag("retrieval.abstained", result.Abstained);
        activity?.SetTag("retrieval.support_ratio", result.Support.Ratio);
        return result;
    }

    private static AnswerResult Abstain(string reason, SupportReport support, Dictionary<string, double> timings)
    {
        RetrievalTelemetry.Abstentions.Add(1, new KeyValuePair<string, object?>("reason", reason));
        var message = reason == AbstentionReasons.NoRelevantSources
            ? "I cannot answer this from the documents you can access."
            : "I cannot answer this reliably: the sources found do not support an answer.";
        return new AnswerResult(message, [], true, reason, support, ExtractiveAnswerer.GeneratorName, timings);
    }
}
