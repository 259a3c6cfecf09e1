namespace Retrieval.Core.Query;

/// <summary>Which retrievers a search runs. <c>hybrid</c> fuses all of them.</summary>
public enum RetrievalMode
{
    Hybrid,
    Dense,
    Lexical,
}

public static class RetrievalModes
{
    public const string Dense = "dense";
    public const string Lexical = "lexical";
    public const string Hybrid = "hybrid";

    public static RetrievalMode Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or Hybrid => RetrievalMode.Hybrid,
        Dense => RetrievalMode.Dense,
        Lexical or "bm25" => RetrievalMode.Lexical,
        _ => throw new ValidationException($"Unknown retrieval mode '{value}'. Use 'hybrid', 'dense' or 'lexical'."),
    };

    public static string Name(this RetrievalMode mode) => mode switch
    {
        RetrievalMode.Dense => Dense,
        RetrievalMode.Lexical => Lexical,
        _ => Hybrid,
    };
}
