namespace Retrieval.Core.Security;

/// <summary>The authenticated caller. Built only from a validated token (see DESIGN.md §3).</summary>
public sealed record Principal(string Tenant, string UserId, IReadOnlyList<string> Groups, IReadOnlySet<string> Roles)
{
    public bool IsInRole(string role) => Roles.Contains(role) || Roles.Contains(RetrievalRoles.Admin);

    /// <summary>The ACL entries this caller satisfies: its user, each of its groups, and <c>public</c>.</summary>
    public AclFilter ToAclFilter() => AclFilter.For(this);
}

public static class RetrievalRoles
{
    public const string Reader = "reader";
    public const string Ingestor = "ingestor";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Reader, Ingestor, Admin];
}
