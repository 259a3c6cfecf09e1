using Retrieval.Core.Jobs;
using Retrieval.Storage.Conformance;

namespace Retrieval.Storage.Postgres.Tests;

/// <summary>Plugs the PostgreSQL backend into the conformance suites: a fresh schema per test, dropped afterwards.</summary>
internal static class PostgresHarness
{
    public static Task<StorageUnderTest> CreateStorageAsync()
    {
        var schema = TestPostgres.NewSchemaName();
        var database = new PostgresDatabase(TestPostgres.ConnectionString, schema);
        var vectors = new PostgresVectorIndex(database);
        var storage = new StorageUnderTest(
            new PostgresDocumentStore(database, TestData.ModelId),
            vectors,
            new PostgresLexicalIndex(database),
            async () =>
            {
                vectors.Dispose();
                await database.DisposeAsync();
                await TestPostgres.DropSchemaAsync(schema);
            })
        {
            ExtractionCache = new PostgresGraphExtractionCache(database),
        };
        return Task.FromResult(storage);
    }

    public static Task<JobQueueUnderTest> CreateQueueAsync(TimeProvider time, JobQueueSettings settings)
    {
        var schema = TestPostgres.NewSchemaName();
        var database = new PostgresDatabase(TestPostgres.ConnectionString, schema);
        var options = new JobQueueOptions { MaxAttempts = settings.MaxAttempts, BaseBackoff = settings.BaseBackoff, MaxActivePerTenant = settings.MaxActivePerTenant };
        var queue = new JobQueueUnderTest(
            new PostgresJobQueue(database, time, options),
            async () =>
            {
                await database.DisposeAsync();
                await TestPostgres.DropSchemaAsync(schema);
            });
        return Task.FromResult(queue);
    }
}

public sealed class PostgresDocumentStoreConformanceTests : DocumentStoreConformanceTests
{
    protected override Task<StorageUnderTest> CreateStorageAsync() => PostgresHarness.CreateStorageAsync();
}

public sealed class PostgresGraphExtractionCacheConformanceTests : GraphExtractionCacheConformanceTests
{
    protected override Task<StorageUnderTest> CreateStorageAsync() => PostgresHarness.CreateStorageAsync();
}

public sealed class PostgresVectorIndexConformanceTests : VectorIndexConformanceTests
{
    protected override Task<StorageUnderTest> CreateStorageAsync() => PostgresHarness.CreateStorageAsync();
}

public sealed class PostgresLexicalIndexConformanceTests : LexicalIndexConformanceTests
{
    protected override Task<StorageUnderTest> CreateStorageAsync() => PostgresHarness.CreateStorageAsync();
}

public sealed class PostgresJobQueueConformanceTests : JobQueueConformanceTests
{
    protected override Task<JobQueueUnderTest> CreateQueueAsync(TimeProvider time, JobQueueSettings settings) =>
        PostgresHarness.CreateQueueAsync(time, settings);
}

/// <summary>The store-level ACL property on PostgreSQL (no knowledge graph there): fewer cases, each is a few round trips.</summary>
public sealed class PostgresAclPropertyTests(Xunit.Abstractions.ITestOutputHelper output) : AclPropertyConformanceTests(output)
{
    protected override int CiCases => 300;

    protected override Task<StorageUnderTest> CreateStorageAsync() => PostgresHarness.CreateStorageAsync();
}
