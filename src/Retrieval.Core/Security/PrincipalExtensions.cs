namespace Retrieval.Core.Security;

public static class PrincipalExtensions
{
    /// <summary>Throws <see cref="ForbiddenException"/> unless the caller has one of the roles (admin has all).</summary>
    public static void Require(this Principal principal, params string[] roles)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(roles);
        if (!roles.Any(principal.IsInRole))
        {
            throw new ForbiddenException($"This operation requires the role {string.Join(" or ", roles.Select(r => $"'{r}'"))}.");
        }
    }
}
