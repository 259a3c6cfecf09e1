namespace Retrieval.Core.Answering;

/// <summary>
/// Decides which answer sentences their cited sources support. Two implementations: the lexical judge (the
/// <see cref="AnswerVerifier"/>, always available, the default) and the LLM judge (Retrieval.Llm,
/// <c>Retrieval:Verification:Judge=llm</c>), which keeps the verifier's deterministic checks as a floor and falls back
/// to the lexical verdicts when the LLM cannot judge. <see cref="SupportReport.Judge"/> says which one decided.
/// </summary>
public interface IAnswerJudge
{
    /// <summary>Reported as <c>support.judge</c> when this judge decided.</summary>
    string Name { get; }

    /// <summary>Per-sentence support of <paramref name="answer"/> by the numbered <paramref name="sources"/>; never throws for a judge outage.</summary>
    Task<SupportReport> JudgeAsync(string answer, IReadOnlyList<AnswerSource> sources, CancellationToken cancellationToken);
}

/// <summary>The default judge: lexical coverage, number/negation/name checks and, with an embedding model, paraphrase similarity.</summary>
public sealed class LexicalAnswerJudge : IAnswerJudge
{
    public const string JudgeName = "lexical";

    private readonly AnswerVerifier _verifier;

    public LexicalAnswerJudge(AnswerVerifier verifier) => _verifier = verifier;

    public string Name => JudgeName;

    public Task<SupportReport> JudgeAsync(string answer, IReadOnlyList<AnswerSource> sources, CancellationToken cancellationToken) =>
        _verifier.VerifyAsync(answer, sources, cancellationToken);
}
