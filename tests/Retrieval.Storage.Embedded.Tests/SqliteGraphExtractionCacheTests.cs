namespace Retrieval.Storage.Embedded.Tests;

/// <summary>The LLM graph extraction cache table (migrations 3 and 4) in the SQLite file.</summary>
public sealed class SqliteGraphExtractionCacheTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task PutThenGet_ThroughAnotherDatabaseInstance_ReturnsStoredValuesOnlyAndLatestWins()
    {
        using (var writerDatabase = new EmbeddedDatabase(directory.DatabasePath))
        {
            await writerDatabase.InitializeAsync(CancellationToken.None);
            var writer = new SqliteGraphExtractionCache(writerDatabase);
            await writer.PutAsync("acme", [new("k1", "h1", """{"entities":[]}"""), new("k2", "h2", "old")], CancellationToken.None);
            await writer.PutAsync("acme", [new("k2", "h2", "new")], CancellationToken.None);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        using var readerDatabase = new EmbeddedDatabase(directory.DatabasePath);
        await readerDatabase.InitializeAsync(CancellationToken.None);
        var reader = new SqliteGraphExtractionCache(readerDatabase);
        var found = await reader.GetAsync(["k1", "k2", "missing"], CancellationToken.None);

        Assert.Equal(2, found.Count);
        Assert.Equal("""{"entities":[]}""", found["k1"]);
        Assert.Equal("new", found["k2"]);
        Assert.Empty(await reader.GetAsync([], CancellationToken.None));
    }

    [Fact]
    public async Task Migrate_FromVersion3WithRowsWithoutTenantAndHash_PurgesThemAndStoresNewRows()
    {
        using (var database = new EmbeddedDatabase(directory.DatabasePath))
        {
            await database.InitializeAsync(CancellationToken.None);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        // Back to a file at version 3 holding a row of migration 3's shape.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + directory.DatabasePath))
        {
            await connection.OpenAsync();
            using var command = connection.CreateCommand();
            command.CommandText = """
                DROP INDEX chunks_text_tenant;
                DROP TABLE graph_extraction_cache;
                CREATE TABLE graph_extraction_cache(cache_key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL, created_at TEXT NOT NULL) WITHOUT ROWID;
                INSERT INTO graph_extraction_cache(cache_key, value, created_at) VALUES ('old-key', '{"entities":[]}', datetime('now'));
                DELETE FROM schema_version WHERE version > 3;
                """;
            await command.ExecuteNonQueryAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        using var migrated = new EmbeddedDatabase(directory.DatabasePath);
        await migrated.InitializeAsync(CancellationToken.None);
        var cache = new SqliteGraphExtractionCache(migrated);

        Assert.Empty(await cache.GetAsync(["old-key"], CancellationToken.None));
        await cache.PutAsync("acme", [new("new-key", "h", "v")], CancellationToken.None);
        Assert.Equal("v", (await cache.GetAsync(["new-key"], CancellationToken.None))["new-key"]);
    }
}
