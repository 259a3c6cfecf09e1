using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Retrieval.Api.Auth;

/// <summary>
/// Resolves the bearer options at start-up, so the first start creates the data directory and the local
/// development signing key (or records OIDC mode) before any request, and a bad auth setting fails start-up.
/// </summary>
internal sealed class IdentityInitializer : IHostedService
{
    private readonly IOptionsMonitor<JwtBearerOptions> _options;

    public IdentityInitializer(IOptionsMonitor<JwtBearerOptions> options) => _options = options;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _options.Get(JwtBearerDefaults.AuthenticationScheme);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
