using System.Reflection;
using System.Text.RegularExpressions;
using Retrieval.Storage.Conformance;

namespace Retrieval.Storage.Neo4j.Tests;

/// <summary>The Cypher this backend runs: every reader statement filters every chunk it touches by tenant and ACL.</summary>
public sealed partial class CypherTests
{
    /// <summary>Statements run for ingestion and schema only: they serve no caller and carry no ACL.</summary>
    private static readonly HashSet<string> IngestionOnly =
    [
        nameof(Cypher.DocumentState), nameof(Cypher.BeginDocument), nameof(Cypher.BeginRemoval), nameof(Cypher.ClearDocument),
        nameof(Cypher.UpsertChunks), nameof(Cypher.UpsertMentions), nameof(Cypher.UpsertRelations), nameof(Cypher.DeleteOrphanEntities),
        nameof(Cypher.DeleteOrphanNames), nameof(Cypher.CompleteDocument), nameof(Cypher.DeleteDocument)
    ];

    public static TheoryData<string> ReaderStatementNames => [.. Cypher.ReaderStatements.Keys];

    [Fact]
    public void Statements_EachIsAReaderOrIngestionOnly_NoneUnclassified()
    {
        var statements = typeof(Cypher).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name != nameof(Cypher.ChunkReadable))
            .Select(f => f.Name)
            .ToList();

        Assert.Equal(8, Cypher.ReaderStatements.Count);
        Assert.All(statements, name => Assert.True(
            Cypher.ReaderStatements.ContainsKey(name) ^ IngestionOnly.Contains(name),
            $"Cypher.{name} must be listed either in Cypher.ReaderStatements (and carry the ACL predicate) or as ingestion-only here."));
        Assert.All(IngestionOnly, name => Assert.DoesNotContain("$principals", typeof(Cypher).GetField(name)!.GetRawConstantValue() as string ?? "", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ReaderStatementNames))]
    public void ReaderStatement_EveryChunkItMatches_CarriesTheTenantAndAclPredicate(string name)
    {
        var statement = Cypher.ReaderStatements[name];

        // Each pattern that binds a chunk is followed, before the next clause that could use it, by the predicate on it.
        var chunkPatterns = ChunkPattern().Matches(statement);
        Assert.NotEmpty(chunkPatterns);
        foreach (Match pattern in chunkPatterns)
        {
            var rest = statement[pattern.Index..];
            var predicate = rest.IndexOf(Cypher.ChunkReadable, StringComparison.Ordinal);
            Assert.True(predicate >= 0, $"{name}: a chunk matched at offset {pattern.Index} is not filtered.");
            var between = rest[..predicate];
            Assert.DoesNotMatch(@"\b(RETURN|WITH|UNWIND)\b", between);
        }

        Assert.Equal(chunkPatterns.Count, Regex.Count(statement, Regex.Escape(Cypher.ChunkReadable)));
        Assert.DoesNotContain("(:Chunk", statement, StringComparison.Ordinal); // no anonymous, unfiltered chunk
    }

    [Fact]
    public void ChunkReadable_ChecksTenantAndIntersectsPrincipals()
    {
        Assert.Equal("c.tenant = $tenant AND any(p IN c.acl WHERE p IN $principals)", Cypher.ChunkReadable);
    }

    [Fact]
    public void ReaderParameters_FromAclFilter_AreTheTenantAndNormalizedPrincipals()
    {
        var filter = TestData.Reader("acme", "alice", "eng", "ops");

        var parameters = Cypher.ReaderParameters(filter);

        Assert.Equal("acme", parameters["tenant"]);
        Assert.Equal(new[] { "group:eng", "group:ops", "public", "user:alice" }, (string[])parameters["principals"]!);
        Assert.Equal(2, parameters.Count);
    }

    [Fact]
    public void Ids_AreTenantScopedAndStable()
    {
        Assert.Equal(Cypher.EntityId("acme", "grace hopper"), Cypher.EntityId("acme", "grace hopper"));
        Assert.NotEqual(Cypher.EntityId("acme", "grace hopper"), Cypher.EntityId("globex", "grace hopper"));
        Assert.Equal(32, Cypher.EntityId("acme", "x").Length);
        Assert.StartsWith(Cypher.NameUid("acme", "scr"), Cypher.NameUid("acme", "scrooge"), StringComparison.Ordinal);
        Assert.False(Cypher.NameUid("acme", "scrooge").StartsWith(Cypher.NameUid("acm", ""), StringComparison.Ordinal));
    }

    [Fact]
    public void Schema_CreatesUniquenessConstraintsIdempotently()
    {
        Assert.Equal(4, Cypher.Schema.Count);
        Assert.All(Cypher.Schema, statement =>
        {
            Assert.Contains("IF NOT EXISTS", statement, StringComparison.Ordinal);
            Assert.Contains("IS UNIQUE", statement, StringComparison.Ordinal);
        });
    }

    [GeneratedRegex(@"\(c:Chunk\b")]
    private static partial Regex ChunkPattern();
}
