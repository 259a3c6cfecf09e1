using Qdrant.Client.Grpc;

namespace Retrieval.Storage.Qdrant;

/// <summary>
/// The collection's layout. One collection holds every tenant (Qdrant's own multitenancy guidance: a collection per
/// tenant costs resources per collection and does not scale past a few hundred tenants); the tenant is a payload field
/// with a keyword index marked <c>is_tenant</c>, so Qdrant stores each tenant's points together, and every search
/// must-matches it. HNSW is built per tenant (<c>payload_m</c>) instead of across the whole collection (<c>m = 0</c>),
/// because no search ever crosses tenants. Points carry:
/// <list type="bullet">
/// <item><c>dense</c>: the chunk's embedding, cosine, int8 scalar quantization kept in RAM (originals on disk for rescoring);</item>
/// <item><c>bm25</c>: the chunk's sparse term weights (<see cref="Bm25SparseEncoder"/>), with Qdrant's IDF modifier;</item>
/// <item>payload <c>tenant</c>, <c>document_id</c>, <c>chunk_id</c>, <c>version</c> and <c>acl</c> (keyword array).</item>
/// </list>
/// </summary>
internal static class QdrantSchema
{
    public const string DenseVector = "dense";
    public const string SparseVector = "bm25";

    public const string TenantField = "tenant";
    public const string DocumentIdField = "document_id";
    public const string ChunkIdField = "chunk_id";
    public const string VersionField = "version";
    public const string AclField = "acl";

    /// <summary>HNSW links per point inside each tenant's graph (Qdrant's recommended value for per-tenant indexing).</summary>
    public const int PayloadM = 16;

    public static CreateCollection CreateCollectionRequest(string name, int dimensions, QdrantStorageOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ArgumentNullException.ThrowIfNull(options);
        var dense = new VectorParams
        {
            Size = (ulong)dimensions,
            Distance = Distance.Cosine,
            Memory = Memory.Cold,
            QuantizationConfig = new QuantizationConfig
            {
                Scalar = new ScalarQuantization { Type = QuantizationType.Int8, Quantile = 0.99f, Memory = Memory.Pinned },
            },
        };
        var request = new CreateCollection
        {
            CollectionName = name,
            VectorsConfig = new VectorsConfig { ParamsMap = new VectorParamsMap { Map = { [DenseVector] = dense } } },
            SparseVectorsConfig = new SparseVectorConfig { Map = { [SparseVector] = new SparseVectorParams { Modifier = Modifier.Idf } } },
            HnswConfig = new HnswConfigDiff { M = 0, PayloadM = PayloadM },
            ShardNumber = (uint)options.ShardNumber,
            ReplicationFactor = (uint)options.ReplicationFactor,
            WriteConsistencyFactor = (uint)options.WriteConsistencyFactor,
            Payload = new PayloadStorageParams { Memory = Memory.Cold },
        };
        return request;
    }

    /// <summary>
    /// The payload indexes, created (idempotently) at start-up. Only the tenant index builds HNSW links; the others
    /// serve filters (ACL inside every search; document and version for projection writes and checks).
    /// </summary>
    public static IReadOnlyList<(string Field, PayloadSchemaType Type, PayloadIndexParams Params)> PayloadIndexes { get; } =
    [
        (TenantField, PayloadSchemaType.Keyword, new PayloadIndexParams { KeywordIndexParams = new KeywordIndexParams { IsTenant = true } }),
        (AclField, PayloadSchemaType.Keyword, new PayloadIndexParams { KeywordIndexParams = new KeywordIndexParams { EnableHnsw = false } }),
        (DocumentIdField, PayloadSchemaType.Keyword, new PayloadIndexParams { KeywordIndexParams = new KeywordIndexParams { EnableHnsw = false } }),
        (VersionField, PayloadSchemaType.Integer, new PayloadIndexParams { IntegerIndexParams = new IntegerIndexParams { Lookup = true, Range = false, EnableHnsw = false } }),
    ];

    /// <summary>The dense vector size of an existing collection, or null when it has no vector named <see cref="DenseVector"/>.</summary>
    public static ulong? DenseSize(CollectionInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var vectors = info.Config?.Params?.VectorsConfig;
        return vectors?.ParamsMap?.Map is { } map && map.TryGetValue(DenseVector, out var dense) ? dense.Size : null;
    }
}
