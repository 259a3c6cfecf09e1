using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Core.Storage;
using Retrieval.Storage.Conformance;
using Retrieval.Storage.Embedded;

[assembly: TestFramework(ConditionalTestFramework.TypeName, ConditionalTestFramework.AssemblyName)]

namespace Retrieval.Storage.Neo4j.Tests;

/// <summary>An embedded document store in a temporary directory (the source of truth the Neo4j projection follows).</summary>
internal sealed class TemporaryEmbeddedStore : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "retrieval-neo4j-tests", Guid.NewGuid().ToString("N"));

    public TemporaryEmbeddedStore()
    {
        Database = new EmbeddedDatabase(Path.Combine(_directory, "retrieval.db"));
        Documents = new SqliteDocumentStore(Database, TestData.ModelId);
        Vectors = new SqliteVectorIndex(Database);
        Lexical = new SqliteLexicalIndex(Database);
    }

    public EmbeddedDatabase Database { get; }

    public SqliteDocumentStore Documents { get; }

    public SqliteVectorIndex Vectors { get; }

    public SqliteLexicalIndex Lexical { get; }

    public void Dispose()
    {
        Vectors.Dispose();
        Database.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}

/// <summary>
/// The graph conformance suite against a live Neo4j (5.19 or later) named by <c>NEO4J_URL</c> (e.g.
/// <c>http://localhost:7474</c>), with <c>NEO4J_USER</c> / <c>NEO4J_PASSWORD</c> (and optionally <c>NEO4J_DATABASE</c>).
/// Each test empties the graph first: point it at a throwaway server, never at one holding data.
/// </summary>
[RequiresEnvironment("NEO4J_URL", "point it at a throwaway Neo4j 5.19+ server (e.g. `docker run -p 7474:7474 -e NEO4J_AUTH=neo4j/password neo4j:5.26.23-community`, NEO4J_URL=http://localhost:7474 NEO4J_PASSWORD=password) to run the graph conformance suite against Neo4j; each test wipes its graph.")]
public sealed class Neo4jGraphStoreConformanceTests : GraphStoreConformanceTests
{
    protected override async Task<StorageUnderTest> CreateStorageAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Retrieval:Storage:Neo4j:Endpoint"] = Environment.GetEnvironmentVariable("NEO4J_URL"),
            ["Retrieval:Storage:Neo4j:User"] = Environment.GetEnvironmentVariable("NEO4J_USER") ?? "neo4j",
            ["Retrieval:Storage:Neo4j:Password"] = Environment.GetEnvironmentVariable("NEO4J_PASSWORD") ?? string.Empty,
            ["Retrieval:Storage:Neo4j:Database"] = Environment.GetEnvironmentVariable("NEO4J_DATABASE") ?? "neo4j",
        }).Build();
        var embedded = new TemporaryEmbeddedStore();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddNeo4jGraph();
        var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<Neo4jQueryClient>();

        await client.RunAsync(new CypherQuery("MATCH (n) WHERE n:Document OR n:Chunk OR n:Entity OR n:Name DETACH DELETE n", new Dictionary<string, object?>()), CancellationToken.None);
        foreach (var statement in Cypher.Schema)
        {
            await client.RunAsync(new CypherQuery(statement, new Dictionary<string, object?>()), CancellationToken.None);
        }

        var store = new ProjectingDocumentStore(embedded.Documents, provider.GetServices<IIndexProjection>());
        return new StorageUnderTest(store, embedded.Vectors, embedded.Lexical, async () =>
        {
            await provider.DisposeAsync();
            embedded.Dispose();
        })
        {
            Graph = new Neo4jGraphStore(client, store),
        };
    }
}
