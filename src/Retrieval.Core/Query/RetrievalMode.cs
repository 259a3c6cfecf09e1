namespace Retrieval.Core.Query;

/// <summary>
/// Which retrievers a search runs: any combination of dense, lexical (BM25) and graph (personalized PageRank over the
/// entity–chunk graph). <see cref="Hybrid"/> runs all of them.
/// </summary>
[Flags]
public enum RetrievalMode
{
    Dense = 1,
    Lexical = 2,
    Graph = 4,
    Hybrid = Dense | Lexical | Graph,
}

public static class RetrievalModes
{
    public const string Dense = "dense";
    public const string Lexical = "lexical";
    public const string Graph = "graph";
    public const string Hybrid = "hybrid";

    /// <summary>The score key of a chunk lifted by topic bridging (<see cref="Graph.GraphOptions.BridgeWeight"/>); not a mode.</summary>
    public const string Bridge = "bridge";

    /// <summary>
    /// Global graph retrieval (community summaries, for corpus-wide questions). Not a retriever to fuse: it stands alone,
    /// on <c>/v1/search</c> and <c>/v1/ask</c>; see <see cref="IsGlobal"/>.
    /// </summary>
    public const string Global = "global";

    /// <summary>True for <c>global</c>; a <c>+</c> combination that includes it is rejected by <see cref="Parse"/>.</summary>
    public static bool IsGlobal(string? value) => string.Equals(value?.Trim(), Global, StringComparison.OrdinalIgnoreCase);

    /// <summary>The canonical name of a requested mode, <c>global</c> included (validates like <see cref="Parse"/>).</summary>
    public static string Canonical(string? value) => IsGlobal(value) ? Global : Parse(value).Name();

    /// <summary>
    /// Parses <c>hybrid</c> (also the default), a retriever name (<c>dense</c>, <c>lexical</c> or <c>bm25</c>, <c>graph</c>)
    /// or a <c>+</c> combination of them (<c>dense+lexical</c>, <c>lexical+graph</c>, …).
    /// </summary>
    public static RetrievalMode Parse(string? value)
    {
        var text = value?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(text) || text == Hybrid)
        {
            return RetrievalMode.Hybrid;
        }

        RetrievalMode mode = 0;
        foreach (var part in text.Split('+', StringSplitOptions.TrimEntries))
        {
            mode |= part switch
            {
                Dense => RetrievalMode.Dense,
                Lexical or "bm25" => RetrievalMode.Lexical,
                Graph => RetrievalMode.Graph,
                Global => throw new ValidationException(
                    $"Retrieval mode '{value}': 'global' (community summaries) cannot be combined with other retrievers; use mode 'global' alone."),
                _ => throw new ValidationException(
                    $"Unknown retrieval mode '{value}'. Use 'hybrid', 'dense', 'lexical', 'graph' or a combination such as 'dense+lexical'."),
            };
        }

        return mode;
    }

    /// <summary><c>hybrid</c> for all retrievers, otherwise the retrievers joined with <c>+</c> in a fixed order.</summary>
    public static string Name(this RetrievalMode mode)
    {
        if (mode == RetrievalMode.Hybrid)
        {
            return Hybrid;
        }

        var parts = new List<string>(3);
        if (mode.HasFlag(RetrievalMode.Dense))
        {
            parts.Add(Dense);
        }

        if (mode.HasFlag(RetrievalMode.Lexical))
        {
            parts.Add(Lexical);
        }

        if (mode.HasFlag(RetrievalMode.Graph))
        {
            parts.Add(Graph);
        }

        return parts.Count == 0 ? Hybrid : string.Join('+', parts);
    }

    public static bool Uses(this RetrievalMode mode, RetrievalMode retriever) => (mode & retriever) == retriever;
}
