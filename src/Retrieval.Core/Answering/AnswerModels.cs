namespace Retrieval.Core.Answering;

/// <summary>A numbered source given to an answer generator: <see cref="Index"/> is what <c>[n]</c> refers to.</summary>
public sealed record AnswerSource(int Index, string ChunkId, string DocumentId, string Title, string Text);

public sealed record Citation(int Index, string ChunkId, string DocumentId, string Title, string Quote);

/// <summary>Support of one answer sentence by the sources it cites.</summary>
public sealed record SentenceSupport(string Text, IReadOnlyList<int> Citations, bool Supported, double Score)
{
    /// <summary>Why the sentence is unsupported (a <see cref="SupportIssues"/> code); null when supported.</summary>
    public string? Issue { get; init; }

    /// <summary>The cited source sentence that supports the claim best.</summary>
    public string? Evidence { get; init; }

    /// <summary>The cited source whose sentence is <see cref="Evidence"/>.</summary>
    public int? EvidenceSource { get; init; }

    /// <summary>True when the policy removed this sentence from the answer (it is still reported here).</summary>
    public bool Removed { get; init; }

    /// <summary>The LLM judge's short reason for its verdict; null when the lexical judge decided this sentence.</summary>
    public string? JudgeReason { get; init; }
}

/// <summary>
/// Per-sentence support and the overall ratio (supported sentences / sentences of the generated answer, before any
/// were removed): the number exported as <c>retrieval.answer.support_ratio</c> and reported by the evaluation.
/// </summary>
public sealed record SupportReport(double Ratio, IReadOnlyList<SentenceSupport> Sentences)
{
    /// <summary>How many unsupported sentences the policy removed from the answer.</summary>
    public int Removed { get; init; }

    /// <summary>The judge that decided (<c>lexical</c> or <c>llm</c>); null when no sentence was judged (an early abstention).</summary>
    public string? Judge { get; init; }

    /// <summary>
    /// Set when the configured judge could not decide and the lexical verdicts stand instead: <c>llm_unavailable</c>
    /// (timeout, HTTP error, open circuit) or <c>judge_malformed</c> (the reply was not the verdict JSON asked for).
    /// </summary>
    public string? JudgeFallback { get; init; }
}

/// <summary>Why a sentence is unsupported.</summary>
public static class SupportIssues
{
    public const string NoCitation = "no_citation";
    public const string UnknownSource = "unknown_source";
    public const string NumberMismatch = "number_mismatch";
    public const string NegationMismatch = "negation_mismatch";
    public const string EntityMismatch = "entity_mismatch";
    public const string LowOverlap = "low_overlap";

    /// <summary>The LLM judge found the cited sources do not state the claim.</summary>
    public const string JudgeUnsupported = "judge_unsupported";

    /// <summary>The LLM judge found the cited sources contradict the claim.</summary>
    public const string Contradicted = "contradicted";
}

/// <summary>Why an answer abstained, or why the LLM did not answer.</summary>
public static class AbstentionReasons
{
    /// <summary>Nothing the caller may read is close enough to the question.</summary>
    public const string NoRelevantSources = "no_relevant_sources";

    /// <summary>Too little of the answer is supported by what it cites.</summary>
    public const string InsufficientSupport = "insufficient_support";

    /// <summary>The LLM is configured but failed (timeout, error, open circuit, malformed reply).</summary>
    public const string LlmUnavailable = "llm_unavailable";

    /// <summary>The generator itself said the sources do not contain the answer.</summary>
    public const string NotInSources = "not_in_sources";
}

public sealed record AnswerResult(
    string Answer,
    IReadOnlyList<Citation> Citations,
    bool Abstained,
    string? Reason,
    SupportReport Support,
    string Generator,
    IReadOnlyDictionary<string, double> Timings)
{
    /// <summary>
    /// Set when the configured generator could not answer and another did (<see cref="AbstentionReasons.LlmUnavailable"/>):
    /// <see cref="Generator"/> then names the one that did.
    /// </summary>
    public string? Fallback { get; init; }
}
