namespace Retrieval.Core.Embeddings;

/// <summary>
/// Passed in <c>EmbeddingGenerationOptions.AdditionalProperties</c> under <see cref="Key"/>: some models embed
/// queries differently from passages (snowflake-arctic-embed prefixes queries with an instruction).
/// </summary>
public static class EmbeddingInputType
{
    public const string Key = "input_type";
    public const string Query = "query";
    public const string Document = "document";
}

/// <summary>The embedding model's own tokenizer, used by the chunker to budget tokens.</summary>
public interface ITextTokenizer
{
    /// <summary>Number of model tokens in <paramref name="text"/>, without the special [CLS]/[SEP] tokens.</summary>
    int CountTokens(string text);
}

/// <summary>What is running: reported by health and job statistics.</summary>
public interface IEmbeddingModelInfo
{
    /// <summary>Short model id, e.g. <c>arctic-xs</c>, <c>minilm</c>, or the configured file name.</summary>
    string ModelId { get; }

    int Dimensions { get; }

    /// <summary>Longest input in tokens (including special tokens); longer input is truncated.</summary>
    int MaxTokens { get; }

    /// <summary><c>CPU</c> or <c>CUDA</c>: the execution provider actually in use.</summary>
    string ExecutionProvider { get; }
}
