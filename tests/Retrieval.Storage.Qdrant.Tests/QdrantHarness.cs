using Retrieval.Core.Storage;
using Retrieval.Storage.Conformance;
using Retrieval.Storage.Embedded;

[assembly: TestFramework(ConditionalTestFramework.TypeName, ConditionalTestFramework.AssemblyName)]

namespace Retrieval.Storage.Qdrant.Tests;

/// <summary>
/// The Qdrant server the server tests use: <c>QDRANT_URL</c> (its gRPC endpoint, e.g. http://localhost:6334) and
/// optionally <c>QDRANT_API_KEY</c>. Without it, the classes marked <c>[RequiresEnvironment(TestQdrant.Variable, …)]</c> are reported
/// as skipped with the reason; everything else in this project runs always.
/// </summary>
internal static class TestQdrant
{
    public const string Variable = "QDRANT_URL";

    public const string Reason =
        "these tests need a Qdrant server (e.g. 'docker run -p 6334:6334 qdrant/qdrant:v1.20.x' with the exact tag pinned, then QDRANT_URL=http://localhost:6334; " +
        "QDRANT_API_KEY if it has one). The translation of filters, queries and points is unit-tested without one.";

    /// <summary>Options for a collection of its own, so tests never see each other's points.</summary>
    public static QdrantStorageOptions NewCollectionOptions() => new()
    {
        Endpoint = Environment.GetEnvironmentVariable(Variable) ?? throw new InvalidOperationException($"{Variable} is not set."),
        ApiKey = Environment.GetEnvironmentVariable("QDRANT_API_KEY"),
        Collection = "t_" + Guid.NewGuid().ToString("N"),
    };

    public static async Task DeleteCollectionAsync(QdrantCollection collection)
    {
        await collection.Client.DeleteCollectionAsync(collection.Name);
    }
}

/// <summary>
/// Plugs Qdrant into the conformance suites the way production runs it: the SQLite document store (source of truth)
/// behind a <see cref="ProjectingDocumentStore"/> that feeds a <see cref="QdrantProjection"/>; searches go to Qdrant.
/// </summary>
internal static class QdrantHarness
{
    public static Task<StorageUnderTest> CreateStorageAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "retrieval-qdrant-tests", Guid.NewGuid().ToString("N"));
        var database = new EmbeddedDatabase(Path.Combine(directory, "data", "retrieval.db"));
        var collection = new QdrantCollection(TestQdrant.NewCollectionOptions(), () => TestData.Dimensions);
        var lexical = new QdrantLexicalIndex(collection);
        var storage = new StorageUnderTest(
            new ProjectingDocumentStore(new SqliteDocumentStore(database, TestData.ModelId), [new QdrantProjection(collection)]),
            new QdrantVectorIndex(collection, lexical),
            lexical,
            async () =>
            {
                try
                {
                    await TestQdrant.DeleteCollectionAsync(collection);
                }
                finally
                {
                    collection.Dispose();
                    database.Dispose();
                    try
                    {
                        Directory.Delete(directory, recursive: true);
                    }
                    catch (IOException)
                    {
                        // Best effort: a leftover temp folder must not fail a test.
                    }
                }
            });
        return Task.FromResult(storage);
    }
}

[RequiresEnvironment(TestQdrant.Variable, TestQdrant.Reason)]
public sealed class QdrantVectorIndexConformanceTests : VectorIndexConformanceTests
{
    protected override Task<StorageUnderTest> CreateStorageAsync() => QdrantHarness.CreateStorageAsync();
}

[RequiresEnvironment(TestQdrant.Variable, TestQdrant.Reason)]
public sealed class QdrantLexicalIndexConformanceTests : LexicalIndexConformanceTests
{
    protected override Task<StorageUnderTest> CreateStorageAsync() => QdrantHarness.CreateStorageAsync();
}

/// <summary>The document store suite through the projecting store: every write also goes to Qdrant, and must not change what the store does.</summary>
[RequiresEnvironment(TestQdrant.Variable, TestQdrant.Reason)]
public sealed class QdrantProjectedDocumentStoreConformanceTests : DocumentStoreConformanceTests
{
    protected override Task<StorageUnderTest> CreateStorageAsync() => QdrantHarness.CreateStorageAsync();
}
