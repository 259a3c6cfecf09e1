using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace Retrieval.Onnx;

/// <summary>What a BERT-style model input carries.</summary>
internal enum BertInput
{
    InputIds,
    AttentionMask,
    TokenTypeIds,
}

/// <summary>
/// One padded model call: rows × the longest row's length, as int64 tensors over pooled buffers
/// (input ids, attention mask and, if the model takes them, all-zero token type ids).
/// </summary>
internal sealed class BertBatch : IDisposable
{
    private readonly long[][] _buffers;
    private readonly OrtValue[] _values;

    private BertBatch(int rows, int sequenceLength, long[][] buffers, OrtValue[] values)
    {
        Rows = rows;
        SequenceLength = sequenceLength;
        _buffers = buffers;
        _values = values;
    }

    public int Rows { get; }

    public int SequenceLength { get; }

    /// <summary>Tensors in the order of the model's input names.</summary>
    public IReadOnlyList<OrtValue> Values => _values;

    /// <param name="tokens">Token ids per text, [CLS] and [SEP] included.</param>
    /// <param name="rows">Which texts go into this batch, in row order.</param>
    /// <param name="inputs">The model's inputs, in the order of its input names.</param>
    /// <param name="paddingId">The [PAD] token id.</param>
    public static BertBatch Create(int[][] tokens, ReadOnlySpan<int> rows, IReadOnlyList<BertInput> inputs, int paddingId)
    {
        var sequenceLength = 0;
        foreach (var row in rows)
        {
            sequenceLength = Math.Max(sequenceLength, tokens[row].Length);
        }

        var size = rows.Length * sequenceLength;
        long[] shape = [rows.Length, sequenceLength];
        var buffers = new long[inputs.Count][];
        var values = new OrtValue[inputs.Count];
        try
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                var buffer = buffers[i] = ArrayPool<long>.Shared.Rent(size);
                Fill(inputs[i], tokens, rows, sequenceLength, paddingId, buffer.AsSpan(0, size));
                values[i] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, buffer.AsMemory(0, size), shape);
            }
        }
        catch
        {
            Release(buffers, values);
            throw;
        }

        return new BertBatch(rows.Length, sequenceLength, buffers, values);
    }

    private static void Fill(BertInput input, int[][] tokens, ReadOnlySpan<int> rows, int sequenceLength, int paddingId, Span<long> destination)
    {
        if (input == BertInput.TokenTypeIds)
        {
            destination.Clear();
            return;
        }

        for (var r = 0; r < rows.Length; r++)
        {
            var ids = tokens[rows[r]];
            var row = destination.Slice(r * sequenceLength, sequenceLength);
            if (input == BertInput.InputIds)
            {
                for (var t = 0; t < ids.Length; t++)
                {
                    row[t] = ids[t];
                }

                row[ids.Length..].Fill(paddingId);
            }
            else
            {
                row[..ids.Length].Fill(1L);
                row[ids.Length..].Clear();
            }
        }
    }

    public void Dispose() => Release(_buffers, _values);

    private static void Release(long[][] buffers, OrtValue[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i]?.Dispose();
            values[i] = null!;
            if (buffers[i] is { } buffer)
            {
                ArrayPool<long>.Shared.Return(buffer);
                buffers[i] = null!;
            }
        }
    }
}
