using Retrieval.Storage.Conformance;
using static Retrieval.Storage.Qdrant.QdrantFilters;

namespace Retrieval.Storage.Qdrant.Tests;

/// <summary>The projection's own contract against a real Qdrant: idempotent writes, version replacement, the currency check, removal.</summary>
[RequiresEnvironment(TestQdrant.Variable, TestQdrant.Reason)]
public sealed class QdrantProjectionTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly QdrantCollection collection = new(TestQdrant.NewCollectionOptions(), () => TestData.Dimensions);
    private QdrantProjection projection = null!;

    public Task InitializeAsync()
    {
        projection = new QdrantProjection(collection);
        return collection.EnsureCreatedAsync(Ct);
    }

    [Fact]
    public async Task ProjectAsync_Twice_LeavesOnePointPerChunkAndIsCurrent()
    {
        var document = TestData.Document("acme", "doc", ["public"], ["alpha one", "beta two", "gamma three"]);

        await projection.ProjectAsync(document.Document, document.Chunks, null, Ct);
        await projection.ProjectAsync(document.Document, document.Chunks, null, Ct);

        Assert.Equal(3ul, await CountAsync(ForDocument("acme", "doc")));
        Assert.True(await projection.IsCurrentAsync(document.Document, Ct));
    }

    [Fact]
    public async Task ProjectAsync_NewVersionWithFewerChunks_RemovesTheOldVersionsPoints()
    {
        var first = TestData.Document("acme", "doc", ["public"], ["alpha", "beta", "gamma"], version: 1);
        var second = TestData.Document("acme", "doc", ["group:eng"], ["delta"], version: 2);
        await projection.ProjectAsync(first.Document, first.Chunks, null, Ct);

        await projection.ProjectAsync(second.Document, second.Chunks, null, Ct);

        Assert.Equal(1ul, await CountAsync(ForDocument("acme", "doc")));
        Assert.Equal(1ul, await CountAsync(ForVersion("acme", "doc", 2)));
        Assert.True(await projection.IsCurrentAsync(second.Document, Ct));
        Assert.False(await projection.IsCurrentAsync(first.Document, Ct));
    }

    [Fact]
    public async Task IsCurrentAsync_PointMissingOrNeverProjected_IsFalse()
    {
        var document = TestData.Document("acme", "doc", ["public"], ["alpha", "beta"]);
        Assert.False(await projection.IsCurrentAsync(document.Document, Ct));
        await projection.ProjectAsync(document.Document, document.Chunks, null, Ct);

        await collection.Client.DeleteAsync(collection.Name, QdrantPointIds.For(document.Chunks[1].Id), wait: true, cancellationToken: Ct);

        Assert.False(await projection.IsCurrentAsync(document.Document, Ct));
    }

    [Fact]
    public async Task RemoveAsync_DocumentAndMissingDocument_RemovesOnlyThatDocumentWithoutError()
    {
        var kept = TestData.Document("acme", "kept", ["public"], ["alpha"]);
        var removed = TestData.Document("acme", "removed", ["public"], ["beta", "gamma"]);
        var otherTenant = TestData.Document("initech", "removed", ["public"], ["delta"]);
        foreach (var document in new[] { kept, removed, otherTenant })
        {
            await projection.ProjectAsync(document.Document, document.Chunks, null, Ct);
        }

        await projection.RemoveAsync("acme", "removed", Ct);
        await projection.RemoveAsync("acme", "never-existed", Ct);

        Assert.Equal(0ul, await CountAsync(ForDocument("acme", "removed")));
        Assert.Equal(1ul, await CountAsync(ForDocument("acme", "kept")));
        Assert.Equal(1ul, await CountAsync(ForDocument("initech", "removed")));
    }

    [Fact]
    public async Task EnsureCreatedAsync_ExistingCollectionOfOtherSize_FailsNamingTheCollectionSetting()
    {
        using var other = new QdrantCollection(
            new QdrantStorageOptions { Endpoint = collection.Options.Endpoint, ApiKey = collection.Options.ApiKey, Collection = collection.Name },
            () => TestData.Dimensions * 2);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => other.EnsureCreatedAsync(Ct));

        Assert.Contains("Retrieval:Storage:Qdrant:Collection", error.Message, StringComparison.Ordinal);
    }

    private Task<ulong> CountAsync(global::Qdrant.Client.Grpc.Filter filter) =>
        collection.Client.CountAsync(collection.Name, filter, exact: true, cancellationToken: Ct);

    public async Task DisposeAsync()
    {
        try
        {
            await TestQdrant.DeleteCollectionAsync(collection);
        }
        finally
        {
            collection.Dispose();
        }
    }
}
