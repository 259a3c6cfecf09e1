
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Retrieval.Core.Security;

/// <summary>
/// <c>identity.json</c> in the data directory. In development mode it holds the local HMAC signing key the
/// service validates tokens with, so <c>retrieval token</c> can mint tokens without calling the service.
/// In OIDC mode it records only that an external identity provider is in charge, and minting is refused.
/// </summary>
public sealed record DevelopmentIdentity(
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("audience")] string Audience,
    [property: JsonPropertyName("signingKey")] string? SigningKey)
{
    public const string FileName = "identity.json";
    public const string DevelopmentMode = "development";
    public const string OidcMode = "oidc";
    public const string DefaultIssuer = "retrieval-dev";
    public const string DefaultAudience = "retrieval";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public bool IsDevelopment => string.Equals(Mode, DevelopmentMode, StringComparison.Ordinal);

    public static string PathIn(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), FileName);

    /// <summary>Reads the file, or null when it does not exist.</summary>
    public static DevelopmentIdentity? TryLoad(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        if (!File.Exists(path))
        {
            return null;
        }

        return JsonSerializer.Deserialize<DevelopmentIdentity>(File.ReadAllText(path), JsonOptions)
            ?? throw new InvalidDataException($"'{path}' is empty.");
    }

    /// <summary>Loads the development identity, creating it with a new random 256-bit key on first use.</summary>
    public static DevelopmentIdentity LoadOrCreateDevelopment(string dataDirectory, string issuer, string audience)
    {
        var existing = TryLoad(dataDirectory);
        if (existing is { IsDevelopment: true, SigningKey: not null }
            && existing.Issuer == issuer && existing.Audience == audience)
        {
            return existing;
        }

        var identity = new DevelopmentIdentity(
            DevelopmentMode, issuer, audience, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        identity.Save(dataDirectory);
        return identity;
    }

    /// <summary>Records that tokens come from an external provider, dropping any local key.</summary>
    public static void MarkOidc(string dataDirectory, string issuer, string audience) =>
        new DevelopmentIdentity(OidcMode, issuer, audience, null).Save(dataDirectory);

    public SymmetricSecurityKey GetSecurityKey()
    {
        if (!IsDevelopment || SigningKey is null)
        {
            throw new InvalidOperationException("The service is configured for an external identity provider; local tokens cannot be minted.");
        }

        return new SymmetricSecurityKey(Convert.FromBase64String(SigningKey)) { KeyId = "retrieval-dev" };
    }

    /// <summary>Mints a signed HS256 token with the claims the service reads.</summary>
    public string MintToken(TokenRequest request, ClaimNames? claimNames = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var names = claimNames ?? new ClaimNames();
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [names.Subject] = request.User,
            [names.Tenant] = request.Tenant,
            [names.Groups] = request.Groups.ToArray(),
            [names.Roles] = request.Roles.ToArray(),
        };
        var now = request.Now ?? DateTimeOffset.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(request.Lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(GetSecurityKey(), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public void Save(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, JsonOptions));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, path, overwrite: true);
    }
}

public sealed record TokenRequest(string User, string Tenant, IReadOnlyList<string> Groups, IReadOnlyList<string> Roles, TimeSpan Lifetime)
{
    public DateTimeOffset? Now { get; init; }
}

/// <summary>Names of the token claims the service reads (configurable for external providers).</summary>
public sealed class ClaimNames
{
    public string Subject { get; set; } = "sub";

    public string Tenant { get; set; } = "tenant";

    public string Groups { get; set; } = "groups";

    public string Roles { get; set; } = "roles";

}
