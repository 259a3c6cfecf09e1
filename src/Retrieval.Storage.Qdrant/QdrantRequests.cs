using Qdrant.Client.Grpc;
using Retrieval.Core.Documents;
using Retrieval.Core.Security;

namespace Retrieval.Storage.Qdrant;

/// <summary>Builds the points and queries sent to Qdrant (pure functions, unit-tested without a server).</summary>
internal static class QdrantRequests
{
    private static readonly WithPayloadSelector ChunkIdOnly = new() { Include = new PayloadIncludeSelector { Fields = { QdrantSchema.ChunkIdField } } };

    /// <summary>One chunk as a point: deterministic id, named dense and sparse vectors, and the payload every filter reads.</summary>
    public static PointStruct Point(DocumentRecord document, ChunkRecord chunk, Bm25SparseEncoder encoder, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(encoder);
        if (chunk.Embedding.Length != dimensions)
        {
            throw new InvalidOperationException(
                $"A chunk's embedding has {chunk.Embedding.Length} dimensions but the Qdrant collection holds {dimensions}: " +
                "the embedding model (Retrieval:Embedding:Model) and the collection (Retrieval:Storage:Qdrant:Collection) do not match.");
        }

        var sparse = encoder.EncodeDocument(chunk.Text);
        var vectors = new Dictionary<string, Vector>(StringComparer.Ordinal) { [QdrantSchema.DenseVector] = chunk.Embedding.ToArray() };
        if (sparse.Count > 0)
        {
            vectors[QdrantSchema.SparseVector] = (sparse.Values, sparse.Indices);
        }

        return new PointStruct
        {
            Id = QdrantPointIds.For(chunk.Id),
            Vectors = vectors,
            Payload =
            {
                [QdrantSchema.TenantField] = document.Tenant,
                [QdrantSchema.DocumentIdField] = document.Id,
                [QdrantSchema.ChunkIdField] = chunk.Id,
                [QdrantSchema.VersionField] = document.Version,
                [QdrantSchema.AclField] = document.Acl.ToArray(),
            },
        };
    }

    /// <summary>Nearest neighbours of the dense vector among the chunks the caller may read.</summary>
    public static QueryPoints Dense(string collection, AclFilter filter, ReadOnlyMemory<float> vector, int topK, QdrantStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var request = new QueryPoints
        {
            CollectionName = collection,
            Query = vector.ToArray(),
            Using = QdrantSchema.DenseVector,
            Filter = QdrantFilters.ForReader(filter),
            Limit = (ulong)topK,
            WithPayload = ChunkIdOnly,
            Params = new SearchParams
            {
                Quantization = new QuantizationSearchParams { Rescore = true, Oversampling = options.Oversampling },
            },
        };
        if (options.HnswEf > 0)
        {
            request.Params.HnswEf = (ulong)Math.Max(options.HnswEf, topK);
        }

        return request;
    }

    /// <summary>Sparse BM25 search (Qdrant multiplies in the IDF), or null when the query has no searchable term.</summary>
    public static QueryPoints? Sparse(string collection, AclFilter filter, string query, int topK)
    {
        var terms = Bm25SparseEncoder.EncodeQuery(query);
        if (terms.Count == 0)
        {
            return null;
        }

        return new QueryPoints
        {
            CollectionName = collection,
            Query = (terms.Values, terms.Indices),
            Using = QdrantSchema.SparseVector,
            Filter = QdrantFilters.ForReader(filter),
            Limit = (ulong)topK,
            WithPayload = ChunkIdOnly,
        };
    }
}
