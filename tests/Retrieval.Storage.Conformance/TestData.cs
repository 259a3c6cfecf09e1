using System.Security.Cryptography;
using System.Text;
using Retrieval.Core.Documents;
using Retrieval.Core.Security;

namespace Retrieval.Storage.Conformance;

/// <summary>A document and its chunks, ready to upsert.</summary>
public sealed record TestDocument(DocumentRecord Document, IReadOnlyList<ChunkRecord> Chunks)
{
    public IReadOnlyList<string> ChunkIds => [.. Chunks.Select(chunk => chunk.Id)];
}

/// <summary>Deterministic builders for documents, chunks, embeddings and callers.</summary>
public static class TestData
{
    public const int Dimensions = 32;

    /// <summary>The embedding model id a backend under test tags stored embeddings with.</summary>
    public const string ModelId = "conformance-model";

    public static readonly DateTimeOffset Created = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    /// <summary>A document whose chunks are <paramref name="texts"/>, embedded with <see cref="Embed"/> unless <paramref name="embeddings"/> is given.</summary>
    public static TestDocument Document(
        string tenant,
        string id,
        IReadOnlyList<string> acl,
        IReadOnlyList<string> texts,
        int version = 1,
        IReadOnlyList<float[]>? embeddings = null,
        string? title = null)
    {
        var chunks = new List<ChunkRecord>(texts.Count);
        var offset = 0;
        for (var ordinal = 0; ordinal < texts.Count; ordinal++)
        {
            var text = texts[ordinal];
            chunks.Add(new ChunkRecord(
                ChunkId.For(tenant, id, version, ordinal),
                id,
                ordinal,
                text,
                offset,
                offset + text.Length,
                "Section " + ordinal,
                text.Split(' ').Length,
                embeddings?[ordinal] ?? Embed(text)));
            offset += text.Length + 2;
        }

        var content = string.Join("\n\n", texts);
        var document = new DocumentRecord(
            id,
            tenant,
            "file:///" + id + ".txt",
            title ?? "Title of " + id,
            "text/plain",
            ChunkId.ContentHash(content),
            version,
            AclEntry.NormalizeAll(acl),
            new Dictionary<string, string>(StringComparer.Ordinal) { ["origin"] = "conformance", ["id"] = id },
            chunks.Count,
            chunks.Sum(chunk => (long)chunk.TokenCount),
            Created,
            Created.AddMinutes(version));
        return new TestDocument(document, chunks);
    }

    /// <summary>A stable bag-of-words embedding (SHA-256 of each word picks a dimension and sign), L2-normalized.</summary>
    public static float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        foreach (var word in text.Split([' ', '.', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(word.ToLowerInvariant()));
            vector[hash[0] % Dimensions] += (hash[1] & 1) == 0 ? 1f : -1f;
            vector[hash[2] % Dimensions] += 0.5f;
        }

        return Normalize(vector);
    }

    public static float[] RandomUnitVector(Random random, int dimensions = Dimensions)
    {
        var vector = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            // Box–Muller: Gaussian components give directions uniform on the sphere.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            vector[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return Normalize(vector);
    }

    public static float[] Normalize(float[] vector)
    {
        var norm = Math.Sqrt(vector.Sum(value => (double)value * value));
        if (norm == 0)
        {
            vector[0] = 1;
            return vector;
        }

        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(vector[i] / norm);
        }

        return vector;
    }

    public static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }

    /// <summary>The ACL filter of a caller in <paramref name="tenant"/> with this user id and groups.</summary>
    public static AclFilter Reader(string tenant, string user, params string[] groups) =>
        AclFilter.For(new Principal(tenant, user, groups, new HashSet<string>(StringComparer.Ordinal) { RetrievalRoles.Reader }));
}
