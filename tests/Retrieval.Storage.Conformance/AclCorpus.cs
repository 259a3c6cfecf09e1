using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Conformance;

/// <summary>
/// Documents readable by different principals, each with a distinctive canary word that appears nowhere else, plus a
/// same-id document in a second tenant. Every retriever is checked against <see cref="MayRead"/> for every reader.
/// </summary>
public static class AclCorpus
{
    public const string Tenant = "acme";
    public const string OtherTenant = "globex";

    /// <summary>A phrase every chunk of the corpus contains, so broad queries touch every document.</summary>
    public const string CommonText = "quarterly budget review";

    public static readonly TestDocument Engineering = Canary(Tenant, "eng-doc", [AclEntry.Group("eng")], "zanzibarquokka");
    public static readonly TestDocument HumanResources = Canary(Tenant, "hr-doc", [AclEntry.Group("hr")], "xylophonewombat");
    public static readonly TestDocument BobOnly = Canary(Tenant, "bob-doc", [AclEntry.User("bob")], "quetzalpangolin");
    public static readonly TestDocument Public = Canary(Tenant, "public-doc", [AclEntry.Public], "marzipanheron");

    /// <summary>Same id as <see cref="Engineering"/>, public, but in another tenant.</summary>
    public static readonly TestDocument OtherTenantEngineering = Canary(OtherTenant, "eng-doc", [AclEntry.Public, AclEntry.Group("eng")], "obsidianlemur");

    public static IReadOnlyList<TestDocument> Documents { get; } = [Engineering, HumanResources, BobOnly, Public, OtherTenantEngineering];

    /// <summary>Callers: names for messages, and their filters.</summary>
    public static IReadOnlyList<(string Name, AclFilter Filter)> Readers { get; } =
    [
        ("alice (eng)", TestData.Reader(Tenant, "alice", "eng")),
        ("carol (hr)", TestData.Reader(Tenant, "carol", "hr")),
        ("bob", TestData.Reader(Tenant, "bob")),
        ("dave (no groups)", TestData.Reader(Tenant, "dave")),
        ("erin (eng, hr)", TestData.Reader(Tenant, "erin", "eng", "hr")),
        ("mallory (other tenant, user bob, eng, hr)", TestData.Reader(OtherTenant, "bob", "eng", "hr")),
    ];

    public static string CanaryOf(TestDocument document) => document.Chunks[0].Text.Split(' ')[0];

    public static bool MayRead(AclFilter filter, TestDocument document) =>
        filter.Allows(document.Document.Tenant, document.Document.Acl);

    /// <summary>The chunk ids of the corpus that <paramref name="filter"/> may read.</summary>
    public static IReadOnlySet<string> ReadableChunkIds(AclFilter filter) =>
        Documents.Where(document => MayRead(filter, document)).SelectMany(document => document.ChunkIds).ToHashSet(StringComparer.Ordinal);

    public static async Task SeedAsync(IDocumentStore store)
    {
        foreach (var document in Documents)
        {
            await store.UpsertAsync(document.Document, document.Chunks, CancellationToken.None);
        }
    }

    private static TestDocument Canary(string tenant, string id, IReadOnlyList<string> acl, string canary) =>
        TestData.Document(tenant, id, acl, [$"{canary} appears in this secret paragraph", $"{CommonText} for {id.Replace('-', ' ')}"]);
}
