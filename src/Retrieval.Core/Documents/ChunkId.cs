using System.Security.Cryptography;
using System.Text;

namespace Retrieval.Core.Documents;

public static class ChunkId
{
    /// <summary>Stable id: the first 16 bytes of SHA-256 over tenant, document id, version and ordinal, as hex.</summary>
    public static string For(string tenant, string documentId, int version, int ordinal)
    {
        var input = Encoding.UTF8.GetBytes($"{tenant}\u001f{documentId}\u001f{version}\u001f{ordinal}");
        return Convert.ToHexStringLower(SHA256.HashData(input).AsSpan(0, 16));
    }

    /// <summary>SHA-256 of the parsed text, as hex: the content hash that makes re-ingest idempotent.</summary>
    public static string ContentHash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
