using Retrieval.Core.Embeddings;

namespace Retrieval.Core.Tests.Ingestion;

/// <summary>One token per whitespace-separated word; counts calls so tests can check the chunker counts each piece once.</summary>
internal sealed class WhitespaceTokenizer : ITextTokenizer
{
    public int Calls { get; private set; }

    public long CharactersCounted { get; private set; }

    public int CountTokens(string text)
    {
        Calls++;
        CharactersCounted += text.Length;
        return text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
