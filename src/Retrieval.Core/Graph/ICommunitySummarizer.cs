using Retrieval.Core.Answering;

namespace Retrieval.Core.Graph;

/// <summary>What a community summary is written from: numbered readable source chunks and the community's central entities.</summary>
/// <param name="EntityKeys">Normalized names of the community's entities, most central first.</param>
public sealed record CommunitySummaryRequest(IReadOnlyList<AnswerSource> Sources, IReadOnlyList<string> EntityKeys, int MaxSentences);

/// <summary>
/// Writes a community summary citing its sources as [n]. Two implementations: extractive (the most central source
/// sentences; always available) and the LLM (Retrieval.Llm, sources fenced as for answers). A summary must depend only on
/// what <see cref="CacheKey"/> covers: summaries are shared between callers through that key.
/// </summary>
public interface ICommunitySummarizer
{
    /// <summary>Reported as the summary's generator.</summary>
    string Name { get; }

    /// <summary>A key covering every input the summary depends on (the source chunk ids and texts at least).</summary>
    string CacheKey(CommunitySummaryRequest request);

    /// <summary>The summary text citing sources as [n]; throws <see cref="AnswerGeneratorUnavailableException"/> when it cannot.</summary>
    Task<string> SummarizeAsync(CommunitySummaryRequest request, CancellationToken cancellationToken);
}
