namespace Retrieval.Storage.Postgres.Tests;

/// <summary>The LLM graph extraction cache table (migrations 2 and 3): shared by every process on the schema.</summary>
public sealed class PostgresGraphExtractionCacheTests : IAsyncLifetime
{
    private readonly string schema = TestPostgres.NewSchemaName();
    private readonly List<PostgresDatabase> databases = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in databases)
        {
            await database.DisposeAsync();
        }

        await TestPostgres.DropSchemaAsync(schema);
    }

    private async Task<PostgresGraphExtractionCache> NewCacheAsync()
    {
        var database = new PostgresDatabase(TestPostgres.ConnectionString, schema);
        databases.Add(database);
        await database.InitializeAsync(CancellationToken.None);
        return new PostgresGraphExtractionCache(database);
    }

    [Fact]
    public async Task PutThenGet_FromAnotherProcess_ReturnsStoredValuesOnlyAndLatestWins()
    {
        var writer = await NewCacheAsync();
        await writer.PutAsync("acme", [new("k1", "h1", """{"entities":[]}"""), new("k2", "h2", "old")], CancellationToken.None);
        await writer.PutAsync("acme", [new("k2", "h2", "new")], CancellationToken.None);

        var reader = await NewCacheAsync();
        var found = await reader.GetAsync(["k1", "k2", "missing"], CancellationToken.None);

        Assert.Equal(2, found.Count);
        Assert.Equal("""{"entities":[]}""", found["k1"]);
        Assert.Equal("new", found["k2"]);
        Assert.Empty(await reader.GetAsync([], CancellationToken.None));
    }

    [Fact]
    public async Task Migrate_FromVersion2WithRowsWithoutTenantAndHash_PurgesThemAndStoresNewRows()
    {
        await NewCacheAsync();

        // Back to a schema at version 2 holding a row of migration 2's shape.
        await TestPostgres.ScalarAsync<object?>(schema, """
            DROP INDEX chunks_text_tenant;
            DROP TABLE graph_extraction_cache;
            CREATE TABLE graph_extraction_cache(cache_key text PRIMARY KEY, value text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO graph_extraction_cache(cache_key, value) VALUES ('old-key', '{"entities":[]}');
            DELETE FROM schema_version WHERE version > 2;
            """);

        var migrated = await NewCacheAsync();

        Assert.Empty(await migrated.GetAsync(["old-key"], CancellationToken.None));
        await migrated.PutAsync("acme", [new("new-key", "h", "v")], CancellationToken.None);
        Assert.Equal("v", (await migrated.GetAsync(["new-key"], CancellationToken.None))["new-key"]);
    }
}
