using Qdrant.Client.Grpc;
using Retrieval.Storage.Conformance;

namespace Retrieval.Storage.Qdrant.Tests;

public sealed class QdrantRequestsTests
{
    private static readonly QdrantStorageOptions Options = new() { Endpoint = "http://localhost:6334", Oversampling = 3, HnswEf = 64 };

    [Fact]
    public void Point_Chunk_CarriesIdVectorsAndEveryFilteredPayloadField()
    {
        var document = TestData.Document("acme", "handbook", ["group:eng", "user:bob"], ["walrus habitat notes", "penguin colony"], version: 4);
        var chunk = document.Chunks[1];

        var point = QdrantRequests.Point(document.Document, chunk, new Bm25SparseEncoder(), TestData.Dimensions);

        Assert.Equal(QdrantPointIds.For(chunk.Id).ToString(), point.Id.Uuid);
        Assert.Equal("acme", point.Payload[QdrantSchema.TenantField].StringValue);
        Assert.Equal("handbook", point.Payload[QdrantSchema.DocumentIdField].StringValue);
        Assert.Equal(chunk.Id, point.Payload[QdrantSchema.ChunkIdField].StringValue);
        Assert.Equal(4, point.Payload[QdrantSchema.VersionField].IntegerValue);
        Assert.Equal(["group:eng", "user:bob"], point.Payload[QdrantSchema.AclField].ListValue.Values.Select(v => v.StringValue));

        var named = point.Vectors.Vectors_.Vectors;
        Assert.Equal(chunk.Embedding.ToArray(), named[QdrantSchema.DenseVector].Dense.Data);
        var sparse = named[QdrantSchema.SparseVector].Sparse;
        var expected = new Bm25SparseEncoder().EncodeDocument(chunk.Text);
        Assert.Equal(expected.Indices, sparse.Indices);
        Assert.Equal(expected.Values, sparse.Values);
    }

    [Fact]
    public void Point_ChunkWithoutSearchableTerms_HasNoSparseVector()
    {
        var document = TestData.Document("acme", "d", ["public"], ["the of and"]);

        var point = QdrantRequests.Point(document.Document, document.Chunks[0], new Bm25SparseEncoder(), TestData.Dimensions);

        Assert.False(point.Vectors.Vectors_.Vectors.ContainsKey(QdrantSchema.SparseVector));
    }

    [Fact]
    public void Point_EmbeddingOfOtherSize_ThrowsNamingTheSettings()
    {
        var document = TestData.Document("acme", "d", ["public"], ["walrus"]);

        var error = Assert.Throws<InvalidOperationException>(() =>
            QdrantRequests.Point(document.Document, document.Chunks[0], new Bm25SparseEncoder(), TestData.Dimensions + 1));

        Assert.Contains("Retrieval:Storage:Qdrant:Collection", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dense_Query_UsesTheNamedVectorTheReadersFilterAndRescoring()
    {
        var reader = TestData.Reader("acme", "alice", "eng");
        var vector = TestData.Embed("walrus");

        var request = QdrantRequests.Dense("chunks", reader, vector, 7, Options);

        Assert.Equal("chunks", request.CollectionName);
        Assert.Equal(QdrantSchema.DenseVector, request.Using);
        Assert.Equal(vector, request.Query.Nearest.Dense.Data);
        Assert.Equal(7ul, request.Limit);
        Assert.Equal(QdrantFilters.ForReader(reader), request.Filter);
        Assert.True(request.Params.Quantization.Rescore);
        Assert.Equal(3, request.Params.Quantization.Oversampling);
        Assert.Equal(64ul, request.Params.HnswEf);
        Assert.Equal([QdrantSchema.ChunkIdField], request.WithPayload.Include.Fields);
    }

    [Fact]
    public void Dense_TopKAboveHnswEf_RaisesEfToTopK()
    {
        var request = QdrantRequests.Dense("chunks", TestData.Reader("acme", "alice"), TestData.Embed("x"), 200, Options);

        Assert.Equal(200ul, request.Params.HnswEf);
    }

    [Fact]
    public void Sparse_Query_UsesTheSparseVectorWithTheReadersFilter()
    {
        var reader = TestData.Reader("acme", "alice", "eng");

        var request = QdrantRequests.Sparse("chunks", reader, "Walrus habitats", 5)!;

        Assert.Equal(QdrantSchema.SparseVector, request.Using);
        var expected = Bm25SparseEncoder.EncodeQuery("Walrus habitats");
        Assert.Equal(expected.Indices, request.Query.Nearest.Sparse.Indices);
        Assert.Equal(expected.Values, request.Query.Nearest.Sparse.Values);
        Assert.Equal(QdrantFilters.ForReader(reader), request.Filter);
        Assert.Equal(5ul, request.Limit);
    }

    [Theory]
    [InlineData("")]
    [InlineData("the and of")]
    [InlineData("?!.,")]
    public void Sparse_NoSearchableTerm_IsNull(string query)
    {
        Assert.Null(QdrantRequests.Sparse("chunks", TestData.Reader("acme", "alice"), query, 5));
    }

    [Fact]
    public void CreateCollectionRequest_Defaults_CosineInt8DenseIdfSparsePerTenantHnsw()
    {
        var request = QdrantSchema.CreateCollectionRequest("chunks", 384, new QdrantStorageOptions { ShardNumber = 3, ReplicationFactor = 2, WriteConsistencyFactor = 2 });

        var dense = request.VectorsConfig.ParamsMap.Map[QdrantSchema.DenseVector];
        Assert.Equal(384ul, dense.Size);
        Assert.Equal(Distance.Cosine, dense.Distance);
        Assert.Equal(QuantizationType.Int8, dense.QuantizationConfig.Scalar.Type);
        Assert.Equal(Modifier.Idf, request.SparseVectorsConfig.Map[QdrantSchema.SparseVector].Modifier);
        Assert.Equal(0ul, request.HnswConfig.M);
        Assert.Equal((ulong)QdrantSchema.PayloadM, request.HnswConfig.PayloadM);
        Assert.Equal(3u, request.ShardNumber);
        Assert.Equal(2u, request.ReplicationFactor);
        Assert.Equal(2u, request.WriteConsistencyFactor);
    }

    [Fact]
    public void PayloadIndexes_TenantIsTheTenantIndex_AclIsAKeywordIndex()
    {
        var indexes = QdrantSchema.PayloadIndexes.ToDictionary(i => i.Field, StringComparer.Ordinal);

        Assert.Equal(PayloadSchemaType.Keyword, indexes[QdrantSchema.TenantField].Type);
        Assert.True(indexes[QdrantSchema.TenantField].Params.KeywordIndexParams.IsTenant);
        Assert.Equal(PayloadSchemaType.Keyword, indexes[QdrantSchema.AclField].Type);
        Assert.False(indexes[QdrantSchema.AclField].Params.KeywordIndexParams.IsTenant);
        Assert.Equal(PayloadSchemaType.Keyword, indexes[QdrantSchema.DocumentIdField].Type);
        Assert.Equal(PayloadSchemaType.Integer, indexes[QdrantSchema.VersionField].Type);
    }
}
