using System.Text.Json;
using Retrieval.Core.Security;
using Retrieval.Cli.Infrastructure;

namespace Retrieval.Cli.Identity;

/// <summary>
/// Mints tokens with the development signing key the service keeps in <c>identity.json</c> in its data
/// directory; used by <c>retrieval token</c> and by <c>--as</c>.
/// </summary>
public static class LocalTokenMinter
{
    public static string Mint(string dataDirectory, TokenRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = DevelopmentIdentity.PathIn(dataDirectory);
        DevelopmentIdentity? identity;
        try
        {
            identity = DevelopmentIdentity.TryLoad(dataDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            throw new CliException($"Cannot read the development identity at {path}: {ex.Message}", ex);
        }

        if (identity is null)
        {
            throw new CliException(
                $"No development identity at {path}: start the service once to create it, or pass --data <the service's data directory>.");
        }

        if (string.Equals(identity.Mode, DevelopmentIdentity.OidcMode, StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException(
                "The service uses an external identity provider; get a token from it and pass it with --token or "
                + $"RETRIEVAL_TOKEN ({path} has mode \"oidc\").");
        }

        if (!identity.IsDevelopment || string.IsNullOrEmpty(identity.SigningKey))
        {
            throw new CliException(
                $"{path} has mode \"{identity.Mode}\" and no usable signing key; start the service in development mode to recreate it.");
        }

        try
        {
            return identity.MintToken(request);
        }
        catch (FormatException ex)
        {
            throw new CliException($"The signing key in {path} is not valid base64: {ex.Message}", ex);
        }
    }
}
