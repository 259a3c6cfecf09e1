using System.ComponentModel.DataAnnotations;
using Retrieval.Core.Security;

namespace Retrieval.Api.Auth;

/// <summary>Configuration section <c>Retrieval:Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Retrieval:Auth";

    /// <summary><c>development</c>: tokens signed with the local key in the data directory. <c>oidc</c>: an external provider (Authority + Audience).</summary>
    [RegularExpression("^(development|oidc)$", ErrorMessage = "Retrieval:Auth:Mode must be 'development' or 'oidc'.")]
    public string Mode { get; set; } = DevelopmentIdentity.DevelopmentMode;

    /// <summary>OIDC authority (its discovery document provides the issuer and the JWKS).</summary>
    public string? Authority { get; set; }

    /// <summary>Expected issuer; defaults to the authority's, or <c>retrieval-dev</c> in development.</summary>
    public string? Issuer { get; set; }

    /// <summary>Expected audience.</summary>
    [Required]
    public string Audience { get; set; } = DevelopmentIdentity.DefaultAudience;

    /// <summary>Tenant for tokens without a tenant claim; when empty, such tokens are rejected.</summary>
    public string? DefaultTenant { get; set; }

    /// <summary>Require HTTPS for the OIDC metadata (turn off only for a local test provider).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public ClaimNames Claims { get; set; } = new();

    public bool IsDevelopment => string.Equals(Mode, DevelopmentIdentity.DevelopmentMode, StringComparison.Ordinal);
}
