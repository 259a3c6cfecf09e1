namespace Retrieval.Storage.Embedded.Tests;

/// <summary>The LLM graph extraction cache table (migration 3) in the SQLite file.</summary>
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
            await writer.PutAsync(new Dictionary<string, string> { ["k1"] = """{"entities":[]}""", ["k2"] = "old" }, CancellationToken.None);
            await writer.PutAsync(new Dictionary<string, string> { ["k2"] = "new" }, CancellationToken.None);
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
}
