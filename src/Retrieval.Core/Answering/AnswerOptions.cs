using System.ComponentModel.DataAnnotations;

namespace Retrieval.Core.Answering;

/// <summary>What happens to answer sentences the verifier finds unsupported.</summary>
public enum UnsupportedSentencePolicy
{
    /// <summary>Removed from the answer (still listed, flagged, in the support report).</summary>
    Drop,

    /// <summary>Kept in the answer and flagged in the support report.</summary>
    Flag,
}

/// <summary>Configuration section <c>Retrieval:Answer</c>: relevance gate, verification thresholds and policy.</summary>
public sealed class AnswerOptions
{
    public const string Section = "Retrieval:Answer";

    /// <summary>Numbered sources given to the generator (the top hits of hybrid retrieval).</summary>
    [Range(1, 20)]
    public int MaxSources { get; set; } = 5;

    /// <summary>
    /// Minimum cosine similarity between the question and the best retrieved passage before any generator runs;
    /// below it the answer abstains with <c>no_relevant_sources</c>. Null: the calibrated value for the embedding model
    /// (<see cref="CalibratedMinRelevance"/>, see docs/answers.md).
    /// </summary>
    [Range(-1.0, 1.0)]
    public double? MinRelevance { get; set; }

    /// <summary>A sentence is supported when its support score reaches this (calibrated on SummEdits/QAGS, see docs/answers.md).</summary>
    [Range(0.0, 1.0)]
    public double SupportThreshold { get; set; } = AnswerVerifier.DefaultSupportThreshold;

    /// <summary>
    /// Cosine similarity between a claim and a cited source sentence above which the claim counts as a paraphrase
    /// of it (content-word coverage is then not required to be literal). 1 disables the paraphrase path.
    /// </summary>
    [Range(0.0, 1.0)]
    public double ParaphraseSimilarity { get; set; } = AnswerVerifier.DefaultParaphraseSimilarity;

    /// <summary>Below this fraction of supported sentences the answer is withdrawn (<c>insufficient_support</c>).</summary>
    [Range(0.0, 1.0)]
    public double MinSupportRatio { get; set; } = 0.5;

    public UnsupportedSentencePolicy Unsupported { get; set; } = UnsupportedSentencePolicy.Drop;

    /// <summary>When the LLM fails, answer extractively (true) or abstain with <c>llm_unavailable</c> (false).</summary>
    public bool FallbackToExtractive { get; set; } = true;

    /// <summary>Per-model relevance thresholds, calibrated on MuSiQue questions vs SciFact claims over the MuSiQue corpus.</summary>
    public static double CalibratedMinRelevance(string model) => model switch
    {
        "minilm" => 0.35,
        "arctic-xs" => 0.615,
        _ => 0.35,
    };
}
