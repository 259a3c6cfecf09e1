namespace Retrieval.Core.Security;

/// <summary>
/// What a caller may read: chunks of its tenant whose ACL intersects <see cref="Principals"/>.
/// Every retriever receives one and applies it inside its search, never after a global top-k.
/// </summary>
public sealed record AclFilter
{
    private AclFilter(string tenant, IReadOnlyList<string> principals)
    {
        Tenant = tenant;
        Principals = principals;
    }

    public string Tenant { get; }

    /// <summary>Normalized ACL entries (<c>user:x</c>, <c>group:y</c>, <c>public</c>), distinct and sorted.</summary>
    public IReadOnlyList<string> Principals { get; }

    /// <summary>
    /// A filter that reads nothing: no principals and the empty tenant, which no validated token carries (the API rejects
    /// a blank tenant claim). The start-up warm-up searches through it so the query path is compiled and the indexes are
    /// loaded without a single readable chunk, entity or count being read for anyone.
    /// </summary>
    public static AclFilter Nothing { get; } = new(string.Empty, []);

    public static AclFilter For(Principal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var entries = new SortedSet<string>(StringComparer.Ordinal) { AclEntry.Public, AclEntry.User(principal.UserId) };
        foreach (var group in principal.Groups)
        {
            entries.Add(AclEntry.Group(group));
        }

        return new AclFilter(principal.Tenant, [.. entries]);
    }

    /// <summary>True when a document/chunk with this tenant and ACL is readable through this filter.</summary>
    public bool Allows(string tenant, IEnumerable<string> acl)
    {
        ArgumentNullException.ThrowIfNull(acl);
        if (!string.Equals(tenant, Tenant, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var entry in acl)
        {
            if (Principals.Contains(entry, StringComparer.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
