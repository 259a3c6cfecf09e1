namespace Retrieval.Onnx;

/// <summary>How token vectors become one text vector.</summary>
internal enum PoolingMode
{
    /// <summary>The [CLS] token's hidden state (snowflake-arctic-embed).</summary>
    Cls,

    /// <summary>Mean over the real (attention-mask = 1) tokens (sentence-transformers MiniLM).</summary>
    Mean,
}
