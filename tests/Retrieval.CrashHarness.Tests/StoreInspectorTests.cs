using Microsoft.Data.Sqlite;
using Retrieval.Core.Documents;
using Retrieval.Core.Graph;
using Retrieval.CrashHarness;
using Retrieval.Storage.Embedded;

namespace Retrieval.CrashHarness.Tests;

/// <summary>
/// The checks the harness runs after every kill, against a real embedded store that the tests then damage the way a
/// half-finished write would (with foreign keys and triggers bypassed): each damage must be reported.
/// </summary>
public sealed class StoreInspectorTests : IDisposable
{
    private const string Tenant = "acme";
    private const string First = "zqaaaaaaaaaaaa1";
    private const string Second = "zqbbbbbbbbbbbb2";
    private const int EmbeddingBytes = 384 * sizeof(float);

    private readonly string directory = Directory.CreateTempSubdirectory("retrieval-inspector-").FullName;
    private readonly Findings findings = new();
    private readonly Ledger ledger = new();

    private string DatabasePath => Path.Combine(directory, "retrieval.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Inspect_IntactStoreAndLedger_FindsNothing()
    {
        await SeedAsync();
        Acknowledge("doc", First, Second);

        var report = Inspect();

        Assert.Empty(findings.Violations);
        Assert.Empty(findings.Losses);
        Assert.Equal((1, 2, 1L, 2L), (report.DocumentsChecked, report.MarkersChecked, report.DocumentRows, report.ChunkRows));
        StoreInspector.CheckFullTextIndex(DatabasePath, Path.Combine(directory, "scratch"), findings, 1);
        Assert.Empty(findings.Violations);
    }

    [Fact]
    public async Task Inspect_ChunksLeftWithoutTheirDocument_ReportsViolationAndLoss()
    {
        await SeedAsync();
        Acknowledge("doc", First, Second);
        Damage("DELETE FROM graph_documents; DELETE FROM documents;");

        Inspect();

        Assert.Contains(findings.Violations, v => v.Contains("chunk without its document", StringComparison.Ordinal));
        Assert.Contains(findings.Losses, l => l.Contains("acknowledged document missing: 1, e.g. acme/doc", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inspect_ChunkMissingFromFtsIndex_ReportsViolationAndFtsIntegrityCheckFails()
    {
        await SeedAsync();
        Acknowledge("doc", First, Second);
        Damage("INSERT INTO chunks_fts(chunks_fts, rowid, text) SELECT 'delete', seq, text FROM chunks WHERE ordinal = 0;");

        Inspect();
        StoreInspector.CheckFullTextIndex(DatabasePath, Path.Combine(directory, "scratch"), findings, 1);

        Assert.Contains(findings.Violations, v => v.Contains("chunk missing from the FTS index", StringComparison.Ordinal));
        Assert.Contains(findings.Violations, v => v.Contains("FTS5 integrity-check", StringComparison.Ordinal));
        Assert.Contains(findings.Losses, l => l.Contains("not found through the FTS index: 1, e.g. acme/doc " + First, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inspect_ChunkWithoutEmbedding_ReportsViolation()
    {
        await SeedAsync();
        Damage("UPDATE chunks SET embedding = NULL WHERE ordinal = 1;");

        Inspect();

        Assert.Contains(findings.Violations, v => v.Contains("chunk without its embedding", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inspect_GraphMentionsGone_ReportsUnsupportedRelationsNamesAndOrphanEntities()
    {
        await SeedAsync();
        Damage("DELETE FROM graph_mentions;");

        Inspect();

        Assert.Contains(findings.Violations, v => v.Contains("graph relation (edge) without support", StringComparison.Ordinal));
        Assert.Contains(findings.Violations, v => v.Contains("graph name without a mention", StringComparison.Ordinal));
        Assert.Contains(findings.Violations, v => v.Contains("graph entity without any supporting mention", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inspect_AclSetMembersGone_ReportsViolations()
    {
        await SeedAsync();
        Damage("DELETE FROM acl_set_members;");

        Inspect();

        Assert.Contains(findings.Violations, v => v.Contains("ACL set without members", StringComparison.Ordinal));
        Assert.Contains(findings.Violations, v => v.Contains("ACL set whose members differ from its key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inspect_AcknowledgedParagraphMissingAndRetiredTextBack_ReportsLosses()
    {
        await SeedAsync();
        var doc = Acknowledge("doc", First);
        doc.RetiredMarkers.Add(Second); // as if a later acknowledged version had dropped the second paragraph
        Damage($"UPDATE chunks SET text = 'nothing left here' WHERE instr(text, '{First}') > 0;");

        Inspect();

        Assert.Contains(findings.Losses, l => l.Contains("missing from its chunks: 1, e.g. acme/doc " + First, StringComparison.Ordinal));
        Assert.Contains(findings.Losses, l => l.Contains("replaced, deleted or uncommitted text found in chunks: 1, e.g. acme/doc " + Second, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inspect_AcknowledgedDeleteUndone_ReportsLoss()
    {
        await SeedAsync();
        var doc = ledger.Add(new TrackedDoc(Tenant, "doc", 0, viaJob: false));
        doc.Settle(DocVersion.Absent, acknowledged: true, cycle: 1);

        Inspect();

        Assert.Contains(findings.Losses, l => l.Contains("acknowledged delete undone", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Inspect_UncertainWriteThatCommitted_SettlesOnTheNewVersion()
    {
        await SeedAsync();
        var doc = ledger.Add(new TrackedDoc(Tenant, "doc", 0, viaJob: false));
        doc.BeginChange(new DocVersion(true, [First, Second], null, null));

        var report = Inspect();

        Assert.Empty(findings.Violations);
        Assert.Equal(1, report.Settled);
        Assert.Null(doc.Candidates);
        Assert.Equal((true, 1, 2), (doc.Known!.Present, doc.Known.Version, doc.Known.Chunks));
    }

    [Fact]
    public async Task Inspect_UncertainWriteHalfThere_ReportsHalfWrittenDocument()
    {
        await SeedAsync();
        var doc = ledger.Add(new TrackedDoc(Tenant, "doc", 0, viaJob: false));
        doc.BeginChange(new DocVersion(true, [First, Second, "zqcccccccccccc3"], null, null));

        Inspect();
        var reported = findings.ViolationCount;
        Inspect();

        Assert.Contains(findings.Violations, v => v.Contains("half-written document acme/doc", StringComparison.Ordinal));
        Assert.True(doc.Broken);
        Assert.Equal(reported, findings.ViolationCount); // reported once, not again after every kill
    }

    [Fact]
    public async Task Inspect_UncertainJobDocumentNotYetWritten_StaysUncertain()
    {
        await SeedAsync();
        var doc = ledger.Add(new TrackedDoc(Tenant, "job-doc.md", 0, viaJob: true));
        doc.BeginChange(new DocVersion(true, ["zqdddddddddddd4"], null, null));
        doc.MayStillChange = true;

        Inspect();

        Assert.Empty(findings.Violations);
        Assert.NotNull(doc.Candidates);
    }

    private InspectionReport Inspect() => StoreInspector.Inspect(DatabasePath, ledger, findings, cycle: 1, expectGraph: true, EmbeddingBytes);

    private TrackedDoc Acknowledge(string id, params string[] markers)
    {
        var doc = ledger.Add(new TrackedDoc(Tenant, id, 0, viaJob: false));
        doc.BeginChange(new DocVersion(true, markers, 1, 2));
        doc.Settle(doc.Candidates![1], acknowledged: true, cycle: 1);
        return doc;
    }

    /// <summary>One document, two chunks with embeddings, two entities and a relation between them, as an ingest writes it.</summary>
    private async Task SeedAsync()
    {
        using var database = new EmbeddedDatabase(DatabasePath);
        var store = new SqliteDocumentStore(database, "arctic-xs");
        var now = DateTimeOffset.UnixEpoch;
        var texts = new[] { $"The {First} paragraph: Ada Lovelace met Alan Turing.", $"The {Second} paragraph about Geneva." };
        var chunks = texts
            .Select((text, i) => new ChunkRecord(ChunkId.For(Tenant, "doc", 1, i), "doc", i, text, 0, text.Length, "Section", 10, Embedding(i)))
            .ToList();
        var document = new DocumentRecord("doc", Tenant, "doc", "Doc", "text/markdown", "hash", 1, ["group:eng"], new Dictionary<string, string>(), 2, 20, now, now);
        var graph = new DocumentGraph("fast", [
            new ChunkGraph(chunks[0].Id, [
                new EntityMention("ada lovelace", "Ada Lovelace", "person", 1, []),
                new EntityMention("alan turing", "Alan Turing", "person", 1, ["turing"]),
            ], [new EntityRelation("ada lovelace", "alan turing", 1.0)]),
            new ChunkGraph(chunks[1].Id, [new EntityMention("geneva", "Geneva", "place", 1, [])], []),
        ]);
        await store.UpsertAsync(document, chunks, graph, CancellationToken.None);
    }

    private static float[] Embedding(int seed)
    {
        var vector = new float[384];
        vector[seed] = 1;
        return vector;
    }

    private void Damage(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA foreign_keys = OFF; " + sql;
        command.ExecuteNonQuery();
    }
}
