namespace Retrieval.Storage.Qdrant.Tests;

public sealed class QdrantPointIdsTests
{
    [Fact]
    public void For_KnownRfcExample_IsTheVersion5Uuid()
    {
        // The DNS namespace and "www.example.com" (the widely published v5 example, e.g. Python's uuid.uuid5).
        var dns = new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");

        Assert.Equal(new Guid("2ed6657d-e927-568b-95e1-2665a8aea6a2"), QdrantPointIds.For(dns, "www.example.com"));
    }

    [Fact]
    public void For_SameChunkId_IsStableAndVersion5()
    {
        const string chunkId = "0f8e3a2b9c7d6e5f4a3b2c1d0e9f8a7b";

        var id = QdrantPointIds.For(chunkId);

        Assert.Equal(id, QdrantPointIds.For(chunkId));
        Assert.Equal('5', id.ToString()[14]);
        Assert.Contains(id.ToString()[19], "89ab");
    }

    [Fact]
    public void For_ManyChunkIds_AreDistinct()
    {
        var ids = Enumerable.Range(0, 10_000).Select(i => QdrantPointIds.For(Core.Documents.ChunkId.For("acme", "doc", 1, i))).ToHashSet();

        Assert.Equal(10_000, ids.Count);
    }
}
