using Retrieval.Core.Jobs;
using Retrieval.Storage.Conformance;

namespace Retrieval.Storage.Embedded.Tests;

/// <summary>A temporary directory per test, deleted afterwards (after the database's pooled connections are closed).</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "retrieval-store-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string DatabasePath => System.IO.Path.Combine(Path, "data", "retrieval.db");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}

internal static class EmbeddedHarness
{
    public static Task<StorageUnderTest> CreateStorageAsync()
    {
        var directory = new TempDirectory();
        var database = new EmbeddedDatabase(directory.DatabasePath);
        var vectors = new SqliteVectorIndex(database);
        var graph = new SqliteGraphStore(database);
        var storage = new StorageUnderTest(
            new SqliteDocumentStore(database, TestData.ModelId),
            vectors,
            new SqliteLexicalIndex(database),
            () =>
            {
                graph.Dispose(); // first: waits for a background reload of its subgraph copy still reading the file
                vectors.Dispose();
                database.Dispose();
                directory.Dispose();
                return ValueTask.CompletedTask;
            })
        {
            Graph = graph,
            ExtractionCache = new SqliteGraphExtractionCache(database),
        };
        return Task.FromResult(storage);
    }

    public static Task<JobQueueUnderTest> CreateQueueAsync(TimeProvider time, JobQueueSettings settings)
    {
        var directory = new TempDirectory();
        var database = new EmbeddedDatabase(directory.DatabasePath);
        var options = new JobQueueOptions { MaxAttempts = settings.MaxAttempts, BaseBackoff = settings.BaseBackoff, MaxActivePerTenant = settings.MaxActivePerTenant };
        var queue = new JobQueueUnderTest(
            new SqliteJobQueue(database, time, options),
            () =>
            {
                database.Dispose();
                directory.Dispose();
                return ValueTask.CompletedTask;
            });
        return Task.FromResult(queue);
    }
}

public sealed class SqliteDocumentStoreConformanceTests : DocumentStoreConformanceTests
{
    protected override Task<StorageUnderTest> CreateStorageAsync() => EmbeddedHarness.CreateStorageAsync();
}

public sealed class SqliteVectorIndexConformanceTests : VectorIndexConformanceTests
{
    protected override Task<StorageUnderTest> CreateStorageAsync() => EmbeddedHarness.CreateStorageAsync();
}

public sealed class SqliteLexicalIndexConformanceTests : LexicalIndexConformanceTests
{
    protected override Task<StorageUnderTest> CreateStorageAsync() => EmbeddedHarness.CreateStorageAsync();
}

public sealed class SqliteGraphStoreConformanceTests : GraphStoreConformanceTests
{
    protected override Task<StorageUnderTest> CreateStorageAsync() => EmbeddedHarness.CreateStorageAsync();
}

public sealed class SqliteJobQueueConformanceTests : JobQueueConformanceTests
{
    protected override Task<JobQueueUnderTest> CreateQueueAsync(TimeProvider time, JobQueueSettings settings) =>
        EmbeddedHarness.CreateQueueAsync(time, settings);
}

public sealed class SqliteAclPropertyTests(Xunit.Abstractions.ITestOutputHelper output) : AclPropertyConformanceTests(output)
{
    protected override Task<StorageUnderTest> CreateStorageAsync() => EmbeddedHarness.CreateStorageAsync();
}

public sealed class SqliteGraphExtractionCacheConformanceTests : GraphExtractionCacheConformanceTests
{
    protected override Task<StorageUnderTest> CreateStorageAsync() => EmbeddedHarness.CreateStorageAsync();
}
