using Microsoft.Extensions.Logging;

namespace Retrieval.Onnx;

internal static partial class OnnxEmbeddingLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Embedding model {ModelId} loaded on {ExecutionProvider}: {Dimensions} dimensions, up to {MaxTokens} tokens, batches of {BatchSize}, in {ElapsedMs} ms")]
    public static partial void ModelLoaded(ILogger logger, string modelId, string executionProvider, int dimensions, int maxTokens, int batchSize, long elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "CUDA execution provider is not usable, embedding on CPU instead (set Retrieval:Embeddings:ExecutionProvider to 'cpu' to silence this): {Reason}")]
    public static partial void CudaUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug,
        Message = "Embedded {Count} texts ({Tokens} tokens) in {Batches} batches in {ElapsedMs} ms")]
    public static partial void Embedded(ILogger logger, int count, long tokens, int batches, long elapsedMs);
}
