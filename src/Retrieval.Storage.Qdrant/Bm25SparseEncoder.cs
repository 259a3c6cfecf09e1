using System.Text;

namespace Retrieval.Storage.Qdrant;

/// <summary>A sparse vector: term ids ascending, one weight each.</summary>
internal sealed record SparseTerms(uint[] Indices, float[] Values)
{
    public int Count => Indices.Length;
}

/// <summary>
/// BM25 split between client and Qdrant. A chunk's sparse vector holds, for each term t, BM25's saturated and
/// length-normalized term frequency
/// <code>w(t, d) = tf · (k1 + 1) / (tf + k1 · (1 − b + b · |d| / avgdl))</code>
/// (|d| = the chunk's term count after stop words, avgdl = <see cref="AverageLength"/>). A query's vector holds 1 for
/// each distinct term. Qdrant's IDF modifier on the sparse vector multiplies each query term by
/// <c>ln(1 + (N − n + 0.5) / (n + 0.5))</c> from the collection's own statistics at search time, so the dot product is
/// BM25: Σ idf(t) · w(t, d). Because idf is not baked into the stored vectors, adding documents never rewrites old ones.
/// Differences from textbook BM25: avgdl is a configured estimate, not the corpus mean; N and n count the whole collection
/// (every tenant), like the embedded store's FTS5 statistics count every row.
/// Term ids are the 32-bit FNV-1a hash of the term's UTF-8 bytes: stable across processes and machines (never
/// <see cref="string.GetHashCode()"/>); two terms that collide share one id, which can only add spurious matches, rarely.
/// </summary>
internal sealed class Bm25SparseEncoder
{
    public const double DefaultK1 = 1.2;
    public const double DefaultB = 0.75;
    public const double DefaultAverageLength = 120;

    public Bm25SparseEncoder(double k1 = DefaultK1, double b = DefaultB, double averageLength = DefaultAverageLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k1);
        ArgumentOutOfRangeException.ThrowIfNegative(b);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(b, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(averageLength);
        K1 = k1;
        B = b;
        AverageLength = averageLength;
    }

    public double K1 { get; }

    public double B { get; }

    public double AverageLength { get; }

    /// <summary>The chunk's vector: one entry per distinct term id with its BM25 term weight.</summary>
    public SparseTerms EncodeDocument(string text)
    {
        var terms = LexicalAnalyzer.Terms(text);
        var frequencies = new SortedDictionary<uint, int>();
        foreach (var term in terms)
        {
            var id = TermId(term);
            frequencies[id] = frequencies.GetValueOrDefault(id) + 1;
        }

        var norm = K1 * (1 - B + (B * terms.Count / AverageLength));
        var indices = new uint[frequencies.Count];
        var values = new float[frequencies.Count];
        var i = 0;
        foreach (var (id, tf) in frequencies)
        {
            indices[i] = id;
            values[i] = (float)(tf * (K1 + 1) / (tf + norm));
            i++;
        }

        return new SparseTerms(indices, values);
    }

    /// <summary>The query's vector: weight 1 per distinct term (Qdrant multiplies in the IDF); empty when nothing is searchable.</summary>
    public static SparseTerms EncodeQuery(string? query)
    {
        var ids = new SortedSet<uint>();
        foreach (var term in LexicalAnalyzer.QueryTerms(query))
        {
            ids.Add(TermId(term));
        }

        var indices = ids.ToArray();
        var values = new float[indices.Length];
        Array.Fill(values, 1f);
        return new SparseTerms(indices, values);
    }

    /// <summary>32-bit FNV-1a over the term's UTF-8 bytes.</summary>
    public static uint TermId(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        const uint offsetBasis = 2166136261;
        const uint prime = 16777619;
        var hash = offsetBasis;
        Span<byte> buffer = stackalloc byte[256];
        ReadOnlySpan<byte> bytes = Encoding.UTF8.GetMaxByteCount(term.Length) <= buffer.Length
            ? buffer[..Encoding.UTF8.GetBytes(term, buffer)]
            : Encoding.UTF8.GetBytes(term);
        foreach (var value in bytes)
        {
            hash ^= value;
            hash *= prime;
        }

        return hash;
    }
}
