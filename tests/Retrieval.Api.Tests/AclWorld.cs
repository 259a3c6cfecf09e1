using System.Security.Cryptography;
using System.Text;
using CsCheck;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

/// <summary>
/// One random document in an <see cref="AclWorld"/>. <see cref="Canary"/> and the two words of <see cref="Entity"/>
/// occur in this document only, so finding one of them in a response means that response derives from this document.
/// </summary>
public sealed record WorldDocument(string Tenant, string Id, IReadOnlyList<string> Acl, string Canary, string Entity, IReadOnlyList<string> Shared, bool ViaJob)
{
    public IEnumerable<string> SecretWords => [Canary, .. Entity.Split(' ').Where(w => w.StartsWith("Zx", StringComparison.Ordinal))];

    public string Text => $"""
        # Notes about {Canary}

        The {Canary} procedure is owned by the {Entity}. The {Entity} works with {string.Join(" and ", Shared.DefaultIfEmpty("the quarterly planning office"))} on the {Canary} budget.

        Every quarter the {Canary} review checks the budget and the people who approve changes to it.
        """;
}

/// <summary>A job that ingested some of the world's documents plus one broken file whose name carries <see cref="Canary"/>.</summary>
public sealed record WorldJob(string Tenant, string Submitter, IReadOnlyList<string> Acl, IReadOnlyList<WorldDocument> Documents, string Canary)
{
    public string Id { get; set; } = "";

    public string BrokenFileName => Canary + ".pdf";
}

/// <summary>A caller: identity from a token minted for exactly these claims.</summary>
public sealed record WorldCaller(string Tenant, string User, IReadOnlyList<string> Groups, IReadOnlyList<string> Roles)
{
    public bool Has(string role) => Roles.Contains(role) || Roles.Contains(RetrievalRoles.Admin);

    public override string ToString() => $"{User}@{Tenant} groups=[{string.Join(',', Groups)}] roles=[{string.Join(',', Roles)}]";
}

/// <summary>
/// A random world: 2–3 tenants, 12–20 small documents with random ACLs (users, groups, public, mixed-case spellings, a
/// group named like a user, a user named "public"), colliding document ids across tenants, shared entities mentioned by
/// documents of different ACLs, and one ingestion job per tenant that has job documents.
/// </summary>
public sealed record AclWorld(int Number, IReadOnlyList<string> Tenants, IReadOnlyList<WorldDocument> Documents, IReadOnlyList<WorldJob> Jobs)
{
    public static readonly string[] Users = ["u0", "u1", "u2", "u3", "public", "g0"];
    public static readonly string[] Groups = ["g0", "g1", "g2", "u1", "public"];
    public static readonly string[] SharedEntities = ["Acme Robotics", "Lisbon Harbour", "Grace Hopper"];
    public static readonly string[] Modes = ["dense", "lexical", "graph", "dense+lexical", "lexical+graph", "dense+graph", "dense+lexical+graph", "hybrid"];

    /// <summary>Lower-case letters without q, x and z: random parts never contain a marker prefix.</summary>
    private static readonly Gen<string> Letters = Gen.Char["abcdefghijklmnoprstuvwy"].Array[6].Select(c => new string(c));

    /// <summary>The independent oracle of DESIGN.md §3: same tenant, and the ACL names public, the user or one of its groups.</summary>
    public static bool MayRead(WorldCaller caller, string tenant, IEnumerable<string> acl)
    {
        if (!string.Equals(caller.Tenant, tenant, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var raw in acl)
        {
            var entry = raw.Trim();
            if (entry.Equals("public", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            var colon = entry.IndexOf(':', StringComparison.Ordinal);
            var kind = entry[..colon].ToLowerInvariant();
            var id = entry[(colon + 1)..];
            if ((kind == "user" && id == caller.User) || (kind == "group" && caller.Groups.Contains(id)))
            {
                return true;
            }
        }

        return false;
    }

    public static bool MayRead(WorldCaller caller, WorldDocument document) => MayRead(caller, document.Tenant, document.Acl);

    /// <summary>Jobs are visible to their submitter and the tenant's admins, through the ingestor role.</summary>
    public static bool MaySee(WorldCaller caller, WorldJob job) =>
        caller.Has(RetrievalRoles.Ingestor) && caller.Tenant == job.Tenant && (caller.User == job.Submitter || caller.Roles.Contains(RetrievalRoles.Admin));

    /// <summary>
    /// Every word that must not appear in any response to <paramref name="caller"/> (job ids are checked in job lists only:
    /// a 404 for a job id the caller sent may name it).
    /// </summary>
    public IReadOnlyList<string> ForbiddenWords(WorldCaller caller) =>
    [
        .. Documents.Where(d => !MayRead(caller, d)).SelectMany(d => d.SecretWords),
        .. Jobs.Where(j => !MaySee(caller, j)).Select(j => j.Canary),
    ];

    public static string EntityId(string tenant, string name) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tenant}\u001f{EntityNames.Normalize(name)}")).AsSpan(0, 16));

    public static Gen<AclWorld> Generator(int number)
    {
        var aclEntry = Gen.Frequency(
            (1, Gen.Const("public")),
            (1, Gen.Const("PUBLIC")),
            (4, Gen.OneOf(Users).Select(u => "user:" + u)),
            (1, Gen.OneOf(Users).Select(u => "User:" + u)),
            (4, Gen.OneOf(Groups).Select(g => "group:" + g)),
            (1, Gen.OneOf(Groups).Select(g => "GROUP:" + g)));
        var document = Gen.Select(
            Gen.Int[0, 2], Gen.Int[0, 15], aclEntry.Array[1, 3], Gen.Select(Letters, Letters, Letters),
            Gen.OneOf(SharedEntities).Array[0, 2], Gen.Int[0, 3]);
        var job = Gen.Select(Gen.OneOf(Users), Letters);
        return
            from tenantCount in Gen.Int[2, 3]
            from raw in document.Array[12, 20]
            from jobs in job.Array[3]
            select Build(number, tenantCount, raw, jobs);
    }

    private static AclWorld Build(
        int number, int tenantCount, (int Tenant, int Id, string[] Acl, (string, string, string) Words, string[] Shared, int Job)[] raw, (string Submitter, string Word)[] jobSpecs)
    {
        string[] tenants = [.. new[] { $"acme{number}", $"acme{number}x", $"globex{number}" }.Take(tenantCount)];
        var documents = new List<WorldDocument>();
        var taken = new HashSet<(string, string)>();
        for (var i = 0; i < raw.Length; i++)
        {
            var (tenantIndex, idNumber, acl, (canary, first, second), shared, job) = raw[i];
            var tenant = tenants[tenantIndex % tenants.Length];
            var viaJob = job == 0;
            var id = viaJob ? $"doc-{idNumber}.md" : $"doc-{idNumber}";
            if (!taken.Add((tenant, id)))
            {
                id = viaJob ? $"doc-{i}-b.md" : $"doc-{i}-b";
                taken.Add((tenant, id));
            }

            // The index suffix makes every marker unique in the world; markers have one length, so none contains another.
            var suffix = Suffix(i);
            documents.Add(new WorldDocument(
                tenant, id, acl, "zq" + canary + suffix, $"Zx{first}{suffix} Zx{second}{suffix} Foundation", [.. shared.Distinct()], viaJob));
        }

        var jobs = new List<WorldJob>();
        for (var t = 0; t < tenants.Length; t++)
        {
            var members = documents.Where(d => d.ViaJob && d.Tenant == tenants[t]).ToList();
            if (members.Count == 0)
            {
                continue;
            }

            // One job shares one ACL among its files.
            var acl = members[0].Acl;
            members = [.. members.Select(d => d with { Acl = acl })];
            documents = [.. documents.Select(d => members.FirstOrDefault(m => m.Id == d.Id && m.Tenant == d.Tenant) ?? d)];
            var (submitter, word) = jobSpecs[t];
            jobs.Add(new WorldJob(tenants[t], submitter, acl, members, "zj" + word + Suffix(t)));
        }

        return new AclWorld(number, tenants, documents, jobs);
    }

    private static string Suffix(int i) => new([(char)('a' + (i / 23)), (char)('a' + (i % 23))]);
}
