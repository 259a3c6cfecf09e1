using Retrieval.Cli.Client;
using Retrieval.Cli.Identity;
using Retrieval.Cli.Settings;
using Retrieval.Core.Security;

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
            : NonEmpty(settings.Token) ?? NonEmpty(context.GetEnvironmentVariable(CliContext.TokenVariable));

        return new RetrievalClient(context.CreateHandler(), baseAddress, token);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
