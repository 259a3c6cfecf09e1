using Retrieval.Core;
using Retrieval.Storage.Conformance;

namespace Retrieval.Storage.Qdrant.Tests;

/// <summary>
/// A Qdrant that cannot be reached (a closed local port: the connection is refused at once) makes every operation fail
/// with <see cref="DependencyUnavailableException"/> (503) naming the setting, and never with the caller's data.
/// </summary>
public sealed class QdrantUnavailableTests : IDisposable
{
    private const string Secret = "zanzibar-quarterly-secret";
    private readonly QdrantCollection collection = new(
        new QdrantStorageOptions { Endpoint = "http://127.0.0.1:1", Collection = "unreachable", TimeoutSeconds = 10 }, () => TestData.Dimensions);

    [Fact]
    public async Task VectorSearch_Unreachable_ThrowsDependencyUnavailableNamingTheEndpointSetting()
    {
        var lexical = new QdrantLexicalIndex(collection);
        var vectors = new QdrantVectorIndex(collection, lexical);

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() =>
            vectors.SearchAsync(TestData.Reader("acme", "alice"), TestData.Embed(Secret), 5, CancellationToken.None));

        Assert.Contains("Retrieval:Storage:Qdrant:Endpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LexicalAndHybridSearch_Unreachable_ThrowDependencyUnavailableWithoutTheQuery()
    {
        var lexical = new QdrantLexicalIndex(collection);
        var vectors = new QdrantVectorIndex(collection, lexical);
        var reader = TestData.Reader("acme", "alice");

        var first = await Assert.ThrowsAsync<DependencyUnavailableException>(() => lexical.SearchAsync(reader, Secret, 5, CancellationToken.None));
        var second = await Assert.ThrowsAsync<DependencyUnavailableException>(() =>
            vectors.SearchBothAsync(reader, TestData.Embed(Secret), Secret, 5, CancellationToken.None));

        Assert.DoesNotContain(Secret, first.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_FilterThatReadsNothing_ReturnsEmptyWithoutCallingQdrant()
    {
        // The endpoint is unreachable: any request to Qdrant would throw DependencyUnavailableException.
        var lexical = new QdrantLexicalIndex(collection);
        var vectors = new QdrantVectorIndex(collection, lexical);

        var dense = await vectors.SearchAsync(Core.Security.AclFilter.Nothing, TestData.Embed(Secret), 5, CancellationToken.None);
        var sparse = await lexical.SearchAsync(Core.Security.AclFilter.Nothing, Secret, 5, CancellationToken.None);
        var both = await vectors.SearchBothAsync(Core.Security.AclFilter.Nothing, TestData.Embed(Secret), Secret, 5, CancellationToken.None);

        Assert.Empty(dense);
        Assert.Empty(sparse);
        Assert.Empty(both.Dense);
        Assert.Empty(both.Lexical);
    }

    [Fact]
    public async Task Projection_Unreachable_ThrowsDependencyUnavailableWithoutDocumentData()
    {
        var projection = new QdrantProjection(collection);
        var document = TestData.Document("acme", "doc-" + Secret, ["group:" + Secret], [Secret + " text"]);

        var project = await Assert.ThrowsAsync<DependencyUnavailableException>(() =>
            projection.ProjectAsync(document.Document, document.Chunks, null, CancellationToken.None));
        var check = await Assert.ThrowsAsync<DependencyUnavailableException>(() => projection.IsCurrentAsync(document.Document, CancellationToken.None));
        var remove = await Assert.ThrowsAsync<DependencyUnavailableException>(() => projection.RemoveAsync("acme", "doc-" + Secret, CancellationToken.None));

        Assert.All(new[] { project, check, remove }, e => Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Search_QueryVectorOfOtherSize_ThrowsArgumentExceptionBeforeCallingQdrant()
    {
        var vectors = new QdrantVectorIndex(collection, new QdrantLexicalIndex(collection));

        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            vectors.SearchAsync(TestData.Reader("acme", "alice"), new float[TestData.Dimensions + 1], 5, CancellationToken.None));
    }

    public void Dispose() => collection.Dispose();
}
