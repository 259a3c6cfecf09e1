using System.ComponentModel.DataAnnotations;

namespace Retrieval.Core.Options;

/// <summary>Configuration section <c>Retrieval:Embeddings</c>.</summary>
public sealed class EmbeddingOptions
{
    public const string Section = "Retrieval:Embeddings";

    /// <summary><c>arctic-xs</c> (snowflake-arctic-embed-xs) or <c>minilm</c> (all-MiniLM-L6-v2), both shipped; ignored when <see cref="ModelPath"/> is set.</summary>
    [RegularExpression("^(arctic-xs|minilm)$", ErrorMessage = "Model must be 'arctic-xs' or 'minilm'.")]
    public string Model { get; set; } = "arctic-xs";

    /// <summary>A BERT-style ONNX model file to use instead of a shipped one (with <see cref="VocabPath"/>).</summary>
    public string? ModelPath { get; set; }

    public string? VocabPath { get; set; }

    /// <summary>Pooling for a configured model: <c>cls</c> or <c>mean</c>.</summary>
    [RegularExpression("^(cls|mean)$", ErrorMessage = "Pooling must be 'cls' or 'mean'.")]
    public string Pooling { get; set; } = "mean";

    /// <summary>Prefix added to queries (not passages) for a configured model.</summary>
    public string? QueryPrefix { get; set; }

    /// <summary>Whether the configured model's vocabulary is lower-cased (uncased BERT).</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary><c>auto</c> (CUDA when a GPU and its libraries are present, else CPU with a warning), <c>cpu</c> or <c>cuda</c>.</summary>
    [RegularExpression("^(auto|cpu|cuda)$", ErrorMessage = "ExecutionProvider must be 'auto', 'cpu' or 'cuda'.")]
    public string ExecutionProvider { get; set; } = "auto";

    /// <summary>Longest input in tokens, special tokens included.</summary>
    [Range(8, 8192)]
    public int MaxTokens { get; set; } = 512;

    /// <summary>Texts per ONNX Runtime call.</summary>
    [Range(1, 1024)]
    public int BatchSize { get; set; } = 32;

    /// <summary>ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose (all cores).</summary>
    [Range(0, 256)]
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// How ONNX Runtime's CPU memory arena grows when a call needs more than it holds: <c>sameAsRequested</c> (by the
    /// size asked for; the arena stays near what concurrent calls really use) or <c>nextPowerOfTwo</c> (ONNX Runtime's
    /// default: by doubling regions of 64, 128 MiB … whose pages become resident as fragmentation spreads use over them).
    /// </summary>
    [RegularExpression("^(sameAsRequested|nextPowerOfTwo)$", ErrorMessage = "CpuArenaExtendStrategy must be 'sameAsRequested' or 'nextPowerOfTwo'.")]
    public string CpuArenaExtendStrategy { get; set; } = "sameAsRequested";

    /// <summary>After every ONNX Runtime call, return the CPU arena's wholly unused regions (ONNX Runtime's arena shrinkage).</summary>
    public bool ShrinkCpuArena { get; set; } = true;
}
