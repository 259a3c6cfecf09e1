using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Retrieval.Storage.Embedded;

/// <summary>Embeddings are stored as float32 little-endian BLOBs (4 bytes per dimension).</summary>
internal static class EmbeddingBlob
{
    public static byte[] ToBytes(ReadOnlySpan<float> vector)
    {
        if (BitConverter.IsLittleEndian)
        {
            return MemoryMarshal.AsBytes(vector).ToArray();
        }

        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        return bytes;
    }

    /// <summary>Decodes <paramref name="bytes"/> into <paramref name="destination"/> (which must be exactly long enough).</summary>
    public static void Read(ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        if (bytes.Length != destination.Length * sizeof(float))
        {
            throw new InvalidDataException($"An embedding BLOB of {bytes.Length} bytes does not hold {destination.Length} float32 values.");
        }

        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(bytes).CopyTo(destination);
            return;
        }

        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
        }
    }

    public static float[] FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % sizeof(float) != 0)
        {
            throw new InvalidDataException($"An embedding BLOB of {bytes.Length} bytes is not a whole number of float32 values.");
        }

        var vector = new float[bytes.Length / sizeof(float)];
        Read(bytes, vector);
        return vector;
    }
}
