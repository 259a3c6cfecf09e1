using System.Security.Cryptography;
using System.Text;

namespace Retrieval.Storage.Qdrant;

/// <summary>
/// Qdrant point ids are unsigned integers or UUIDs; chunk ids are hex strings. A chunk's point id is the RFC 9562
/// name-based UUID (version 5, SHA-1) of its chunk id in a namespace of our own, so every process computes the same
/// id for the same chunk and a repeated upsert overwrites instead of duplicating. The chunk id itself travels in the
/// payload (<see cref="QdrantSchema.ChunkIdField"/>) and is what searches return.
/// </summary>
internal static class QdrantPointIds
{
    /// <summary>This project's namespace UUID (a fixed random v4 UUID; changing it would orphan every stored point).</summary>
    public static readonly Guid Namespace = new("6f1c2a5e-3b8d-4e0a-9c47-2d5b8e1f7a93");

    public static Guid For(string chunkId) => For(Namespace, chunkId);

    /// <summary>The version-5 UUID of <paramref name="name"/> in <paramref name="namespaceId"/>.</summary>
    internal static Guid For(Guid namespaceId, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Span<byte> namespaceBytes = stackalloc byte[16];
        if (!namespaceId.TryWriteBytes(namespaceBytes, bigEndian: true, out _))
        {
            throw new InvalidOperationException("A GUID is 16 bytes.");
        }

        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        namespaceBytes.CopyTo(input);
        nameBytes.CopyTo(input, 16);
#pragma warning disable CA5350 // SHA-1 is what RFC 9562 prescribes for version-5 UUIDs; it is an id, not a security boundary.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
