namespace Retrieval.Storage.Postgres.Tests;

/// <summary>The LLM graph extraction cache table (migration 2): shared by every process on the schema.</summary>
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
        await writer.PutAsync(new Dictionary<string, string> { ["k1"] = """{"entities":[]}""", ["k2"] = "old" }, CancellationToken.None);
        await writer.PutAsync(new Dictionary<string, string> { ["k2"] = "new" }, CancellationToken.None);

        var reader = await NewCacheAsync();
        var found = await reader.GetAsync(["k1", "k2", "missing"], CancellationToken.None);

        Assert.Equal(2, found.Count);
        Assert.Equal("""{"entities":[]}""", found["k1"]);
        Assert.Equal("new", found["k2"]);
        Assert.Empty(await reader.GetAsync([], CancellationToken.None));
    }
}
