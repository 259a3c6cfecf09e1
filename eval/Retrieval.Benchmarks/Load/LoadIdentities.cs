using System.Globalization;
using Retrieval.Core.Security;

namespace Retrieval.Benchmarks.Load;

/// <summary>One load client's identity: its own user, groups and tenant, and a token minted for them.</summary>
internal sealed record LoadIdentity(int Index, string Tenant, string User, IReadOnlyList<string> Groups, string Token)
{
    /// <summary>The made-up word only this identity's canary document contains (one FTS5 token).</summary>
    public string CanaryWord => string.Create(CultureInfo.InvariantCulture, $"soakcanary{Index}x");

    public string CanaryId => $"soak-canary/{User}";

    /// <summary>The document ids this client re-ingests in turn (its own, so no two clients race on one id).</summary>
    public string IngestId(int slot) => string.Create(CultureInfo.InvariantCulture, $"soak-doc/{User}/{slot}");

    /// <summary>A fixed ACL per ingest slot (public, a group, the user), so the oracle never changes during the run.</summary>
    public string[] IngestAcl(int slot) => (slot % 3) switch
    {
        0 => ["public"],
        1 => [$"group:{(Groups.Count > 0 ? Groups[0] : "eng")}"],
        _ => [$"user:{User}"],
    };

    public bool CanRead(string tenant, IReadOnlyList<string> acl) =>
        tenant == Tenant && acl.Any(entry => entry == "public" || entry == $"user:{User}" || (entry.StartsWith("group:", StringComparison.Ordinal) && Groups.Contains(entry[6..])));
}

/// <summary>
/// The identities of a load run and the ACL oracle: every document the run may see (the benchmark corpus, the
/// canaries, the documents the run ingests), with its tenant and ACL, so any returned document id can be checked
/// against the caller's identity.
/// </summary>
internal sealed class LoadIdentities
{
    public const string SecondTenant = "bench-b";

    public const int IngestSlots = 12;

    private static readonly string[][] GroupSets = [["eng"], ["hr"], ["sales"], ["eng", "hr"], []];

    private readonly Dictionary<(string Tenant, string DocumentId), string[]> _acls = [];

    private LoadIdentities(IReadOnlyList<LoadIdentity> clients) => Clients = clients;

    public IReadOnlyList<LoadIdentity> Clients { get; }

    /// <summary>
    /// <paramref name="count"/> identities: users u0…, three in four in the corpus tenant (users u0–u49 own corpus
    /// documents there), every fourth in a second tenant that holds only canaries and ingested documents; groups
    /// rotate over eng, hr, sales, eng+hr and none. Roles reader and ingestor.
    /// </summary>
    public static LoadIdentities Create(DevelopmentIdentity key, int count, TimeSpan lifetime)
    {
        var clients = Enumerable.Range(0, count).Select(i =>
        {
            var tenant = i % 4 == 3 ? SecondTenant : IngestBenchmark.Tenant;
            var user = string.Create(CultureInfo.InvariantCulture, $"u{i}");
            var groups = GroupSets[i % GroupSets.Length];
            var token = key.MintToken(new TokenRequest(user, tenant, groups, [RetrievalRoles.Reader, RetrievalRoles.Ingestor], lifetime));
            return new LoadIdentity(i, tenant, user, groups, token);
        }).ToList();
        var identities = new LoadIdentities(clients);
        foreach (var client in clients)
        {
            identities._acls[(client.Tenant, client.CanaryId)] = [$"user:{client.User}"];
            for (var slot = 0; slot < IngestSlots; slot++)
            {
                identities._acls[(client.Tenant, client.IngestId(slot))] = client.IngestAcl(slot);
            }
        }

        return identities;
    }

    /// <summary>Registers the benchmark corpus in its tenant with the ACLs the `corpus` command gave it.</summary>
    public void AddCorpus(IEnumerable<BenchDocument> corpus)
    {
        var index = 0;
        foreach (var doc in corpus)
        {
            _acls[(IngestBenchmark.Tenant, doc.Id)] = BenchCorpus.AclFor(index++);
        }
    }

    public int KnownDocuments => _acls.Count;

    /// <summary>Checks returned document ids against the caller. Unknown ids (not in the oracle) are reported apart.</summary>
    public AclCheck Check(LoadIdentity caller, IEnumerable<string> documentIds)
    {
        var violations = new List<string>();
        var unknown = new List<string>();
        var checkedCount = 0;
        foreach (var id in documentIds)
        {
            checkedCount++;
            if (_acls.TryGetValue((caller.Tenant, id), out var acl))
            {
                if (!caller.CanRead(caller.Tenant, acl))
                {
                    violations.Add(id);
                }
            }
            else
            {
                // Not a document of the caller's tenant that the run knows: either foreign or unknown.
                (IsForeign(caller.Tenant, id) ? violations : unknown).Add(id);
            }
        }

        return new AclCheck(checkedCount, violations, unknown);
    }

    private bool IsForeign(string tenant, string id) => _acls.Keys.Any(k => k.DocumentId == id && k.Tenant != tenant);
}

internal sealed record AclCheck(int Checked, IReadOnlyList<string> Violations, IReadOnlyList<string> Unknown);
