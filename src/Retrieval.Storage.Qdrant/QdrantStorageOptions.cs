using System.ComponentModel.DataAnnotations;

namespace Retrieval.Storage.Qdrant;

/// <summary>
/// Configuration section <c>Retrieval:Storage:Qdrant</c> (used when <c>Retrieval:Storage:Vectors</c> is <c>qdrant</c>, which
/// <c>Retrieval:Storage:Type=distributed</c> implies). The collection and its payload indexes are created at start-up when
/// missing; shard, replication and quantization settings apply only when the collection is created.
/// </summary>
public sealed class QdrantStorageOptions : IValidatableObject
{
    public const string Section = "Retrieval:Storage:Qdrant";

    /// <summary>Qdrant's gRPC endpoint, e.g. <c>http://localhost:6334</c> (6334 is gRPC; 6333 is the REST port and does not work here).</summary>
    [Required(ErrorMessage = "A Qdrant gRPC endpoint (e.g. http://localhost:6334) is required when Retrieval:Storage:Vectors is 'qdrant'.")]
    public string Endpoint { get; set; } = string.Empty;

    /// <summary>Qdrant's API key (<c>QDRANT__SERVICE__API_KEY</c> on the server), or empty when the server has none. Use https when set.</summary>
    public string? ApiKey { get; set; }

    /// <summary>One collection for every tenant (tenant is a payload field with a tenant index); one per embedding model.</summary>
    [RegularExpression("^[A-Za-z0-9_-]{1,200}$", ErrorMessage = "Collection must be 1-200 letters, digits, '_' or '-'.")]
    public string Collection { get; set; } = "retrieval_chunks";

    /// <summary>Deadline of each gRPC call.</summary>
    [Range(1, 600, ErrorMessage = "TimeoutSeconds must be between 1 and 600.")]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Shards of a new collection (spread over the cluster's nodes).</summary>
    [Range(1, 1024, ErrorMessage = "ShardNumber must be between 1 and 1024.")]
    public int ShardNumber { get; set; } = 1;

    /// <summary>Copies of each shard in a new collection (needs that many nodes).</summary>
    [Range(1, 16, ErrorMessage = "ReplicationFactor must be between 1 and 16.")]
    public int ReplicationFactor { get; set; } = 1;

    /// <summary>Replicas that must acknowledge a write in a new collection (at most <see cref="ReplicationFactor"/>).</summary>
    [Range(1, 16, ErrorMessage = "WriteConsistencyFactor must be between 1 and 16.")]
    public int WriteConsistencyFactor { get; set; } = 1;

    /// <summary>
    /// How many more candidates than asked the int8-quantized search fetches before rescoring them with the original
    /// float vectors (Qdrant's <c>oversampling</c>); 1 turns oversampling off.
    /// </summary>
    [Range(1.0, 16.0, ErrorMessage = "Oversampling must be between 1 and 16.")]
    public double Oversampling { get; set; } = 2.0;

    /// <summary>HNSW search breadth (<c>hnsw_ef</c>); 0 uses the collection's default. Raised to top-k when smaller.</summary>
    [Range(0, 4096, ErrorMessage = "HnswEf must be between 0 and 4096.")]
    public int HnswEf { get; set; }

    /// <summary>Points per upsert request when a document is projected.</summary>
    [Range(1, 10_000, ErrorMessage = "UpsertBatchSize must be between 1 and 10000.")]
    public int UpsertBatchSize { get; set; } = 256;

    /// <summary>BM25 term-frequency saturation k1 of the sparse vectors (written at ingestion: re-ingest after changing it).</summary>
    [Range(0.0, 10.0, ErrorMessage = "Bm25K1 must be between 0 and 10.")]
    public double Bm25K1 { get; set; } = Bm25SparseEncoder.DefaultK1;

    /// <summary>BM25 length normalization b of the sparse vectors (0 = none, 1 = full).</summary>
    [Range(0.0, 1.0, ErrorMessage = "Bm25B must be between 0 and 1.")]
    public double Bm25B { get; set; } = Bm25SparseEncoder.DefaultB;

    /// <summary>
    /// The average chunk length, in analyzed terms, that BM25's length normalization divides by. Qdrant computes IDF on
    /// the server but not the average length, so it is a fixed estimate (the chunker's target size after stop words).
    /// </summary>
    [Range(1.0, 100_000.0, ErrorMessage = "Bm25AverageLength must be between 1 and 100000.")]
    public double Bm25AverageLength { get; set; } = Bm25SparseEncoder.DefaultAverageLength;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(Endpoint)
            && (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult("Endpoint must be an absolute http:// or https:// URL of Qdrant's gRPC port, e.g. http://localhost:6334.", [nameof(Endpoint)]);
        }

        if (WriteConsistencyFactor > ReplicationFactor)
        {
            yield return new ValidationResult("WriteConsistencyFactor must not exceed ReplicationFactor.", [nameof(WriteConsistencyFactor)]);
        }
    }
}
