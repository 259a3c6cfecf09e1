namespace Retrieval.Core.Answering;

/// <summary>A numbered source given to an answer generator: <see cref="Index"/> is what <c>[n]</c> refers to.</summary>
public sealed record AnswerSource(int Index, string ChunkId, string DocumentId, string Title, string Text);

public sealed record Citation(int Index, string ChunkId, string DocumentId, string Title, string Quote);

/// <summary>Support of one answer sentence by the sources it cites.</summary>
public sealed record SentenceSupport(string Text, IReadOnlyList<int> Citations, bool Supported, double Score);

public sealed record SupportReport(double Ratio, IReadOnlyList<SentenceSupport> Sentences);

/// <summary>Why an answer abstained.</summary>
public static class AbstentionReasons
{
    public const string NoRelevantSources = "no_relevant_sources";
    public const string InsufficientSupport = "insufficient_support";
}

public sealed record AnswerResult(
    string Answer,
    IReadOnlyList<Citation> Citations,
    bool Abstained,
    string? Reason,
    SupportReport Support,
    string Generator,
    IReadOnlyDictionary<string, double> Timings);
