using Retrieval.Core.Query;
using Retrieval.Core.Security;
using Microsoft.Extensions.Options;

namespace Retrieval.Hosting.Warmup;

/// <summary>
/// Runs <see cref="WarmupOptions.Queries"/> searches of synthetic queries through <see cref="AclFilter.Nothing"/>: the
/// query embedding (several sequence lengths), every retriever, fusion and hydration run and get compiled, but the filter
/// reads no chunk of any tenant. Mostly <c>hybrid</c> (the default mode), with each single retriever in between.
/// </summary>
internal sealed class SearchStep(HybridSearcher searcher, IOptions<WarmupOptions> options) : IWarmupStep
{
    private static readonly RetrievalMode[] Modes =
        [RetrievalMode.Hybrid, RetrievalMode.Hybrid, RetrievalMode.Dense | RetrievalMode.Lexical, RetrievalMode.Hybrid, RetrievalMode.Dense, RetrievalMode.Lexical, RetrievalMode.Graph];

    /// <summary>The filter every warm-up search uses (tests check it reads nothing).</summary>
    internal static AclFilter Filter => AclFilter.Nothing;

    public string Name => "searches";

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        var count = options.Value.Queries;
        for (var i = 0; i < count; i++)
        {
            var query = SyntheticText.Of(SyntheticText.QueryWords[i % SyntheticText.QueryWords.Length], i);
            var result = await searcher.SearchAsync(Filter, query, null, Modes[i % Modes.Length], cancellationToken).ConfigureAwait(false);
            if (result.Results.Count > 0)
            {
                // Cannot happen through a filter with no tenant and no principals; if it ever does, stop and say so.
                throw new InvalidOperationException("A warm-up search returned results through a filter that reads nothing; the warm-up stopped.");
            }
        }

        return $"{count} searches";
    }
}
