using System.Diagnostics.CodeAnalysis;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Retrieval.Core.Security;

namespace Retrieval.Api.Auth;

/// <summary>Builds the caller's <see cref="Principal"/> from a validated token's claims.</summary>
internal static class PrincipalFactory
{
    private const int MaxGroups = 1_000;

    public static bool TryCreate(ClaimsPrincipal user, AuthOptions options, [NotNullWhen(true)] out Principal? principal, out string? error)
    {
        principal = null;
        var names = options.Claims;
        var subject = user.FindFirst(names.Subject)?.Value;
        if (string.IsNullOrWhiteSpace(subject) || subject.Length > AclEntry.MaxLength)
        {
            error = "The token has no usable subject claim.";
            return false;
        }

        var tenant = user.FindFirst(names.Tenant)?.Value ?? options.DefaultTenant;
        if (string.IsNullOrWhiteSpace(tenant) || tenant.Length > AclEntry.MaxLength)
        {
            error = "The token has no tenant claim.";
            return false;
        }

        var groups = user.FindAll(names.Groups).Select(c => c.Value).Where(g => !string.IsNullOrWhiteSpace(g)).Distinct(StringComparer.Ordinal).ToList();
        if (groups.Count > MaxGroups || groups.Any(g => g.Length > AclEntry.MaxLength))
        {
            error = "The token's groups claim is too large.";
            return false;
        }

        var roles = user.FindAll(names.Roles).Select(c => c.Value.Trim().ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        principal = new Principal(tenant, subject, groups, roles);
        error = null;
        return true;
    }

    /// <summary>The authenticated caller of this request (authentication has already validated the claims).</summary>
    public static Principal GetPrincipal(this HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value;
        return TryCreate(context.User, options, out var principal, out _)
            ? principal
            : throw new UnauthorizedAccessException("The request is not authenticated.");
    }
}
