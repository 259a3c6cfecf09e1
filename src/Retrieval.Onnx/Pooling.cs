using System.Numerics.Tensors;

namespace Retrieval.Onnx;

/// <summary>Turns a model's token vectors (batch × sequence × dimensions) into unit-length text vectors.</summary>
internal static class Pooling
{
    /// <summary>
    /// Pools row <paramref name="row"/> of <paramref name="hidden"/> into <paramref name="destination"/> and L2-normalizes it.
    /// Rows are padded at the end, so the first <paramref name="tokenCount"/> positions are exactly the attention-mask ones.
    /// </summary>
    public static void PoolAndNormalize(ReadOnlySpan<float> hidden, int sequenceLength, int row, int tokenCount, PoolingMode mode, Span<float> destination)
    {
        var dimensions = destination.Length;
        var rowStart = row * sequenceLength * dimensions;
        if (mode == PoolingMode.Cls)
        {
            hidden.Slice(rowStart, dimensions).CopyTo(destination);
        }
        else
        {
            var tokens = hidden.Slice(rowStart, tokenCount * dimensions);
            tokens[..dimensions].CopyTo(destination);
            for (var t = 1; t < tokenCount; t++)
            {
                TensorPrimitives.Add(destination, tokens.Slice(t * dimensions, dimensions), destination);
            }

            // Scaling by 1/count is redundant before normalizing, but keeps the vector the model's actual mean.
            TensorPrimitives.Multiply(destination, 1f / tokenCount, destination);
        }

        Normalize(destination);
    }

    public static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0f)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }
}
