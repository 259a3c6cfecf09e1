using Retrieval.Cli.Client;
using Retrieval.Cli.Identity;
using Retrieval.Cli.Settings;
using Retrieval.Core.Security;
using Spectre.Console;

namespace Retrieval.Cli.Infrastructure;

/// <summary>Resolves URL and token from options, environment and defaults, in that order.</summary>
internal static class ServiceConnection
{
    /// <summary>Tokens minted for <c>--as</c> live only as long as one command.</summary>
    private static readonly TimeSpan AsTokenLifetime = TimeSpan.FromHours(1);

    public static RetrievalClient Connect(CliContext context, ServiceSettings settings)
    {
        var url = settings.Url ?? NonEmpty(context.GetEnvironmentVariable(CliContext.UrlVariable)) ?? CliContext.DefaultUrl;
        if (!ServiceUrl.TryParse(url, out var baseAddress))
        {
            throw new CliException($"{CliContext.UrlVariable}='{url}' is not an absolute http(s) URL.", ExitCodes.Usage);
        }

        var token = settings.As is { } user
            ? LocalTokenMinter.Mint(
                settings.Data,
                new TokenRequest(user.Trim(), settings.Tenant, settings.GroupList, settings.RoleList, AsTokenLifetime))
            : NonEmpty(settings.Token) ?? NonEmpty(context.GetEnvironmentVariable(CliContext.TokenVariable))
                ?? LocalDevelopmentToken(context, settings);

        return new RetrievalClient(context.CreateHandler(), baseAddress, token);
    }

    /// <summary>
    /// No token given: when the data directory holds a development identity (the embedded default), act as the
    /// local OS user, so `retrieval ask "…"` works out of the box. In OIDC mode, or without identity.json, no
    /// token is sent and the service answers 401 with a hint.
    /// </summary>
    private static string? LocalDevelopmentToken(CliContext context, ServiceSettings settings)
    {
        DevelopmentIdentity? identity;
        try
        {
            identity = DevelopmentIdentity.TryLoad(settings.Data);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException)
        {
            return null;
        }

        if (identity is not { IsDevelopment: true, SigningKey: not null })
        {
            return null;
        }

        var user = string.IsNullOrWhiteSpace(Environment.UserName) ? "developer" : Environment.UserName;
        context.Error.MarkupLineInterpolated($"[grey]No token given: acting as local development user '{user}' (roles {string.Join(",", settings.RoleList)}). Use --as, --token or RETRIEVAL_TOKEN to choose.[/]");
        return LocalTokenMinter.Mint(settings.Data, new TokenRequest(user, settings.Tenant, settings.GroupList, settings.RoleList, AsTokenLifetime));
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
