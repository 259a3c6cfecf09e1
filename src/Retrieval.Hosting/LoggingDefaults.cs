using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace Retrieval.Hosting;

/// <summary>
/// Log levels the service starts with unless configuration says otherwise. ASP.NET Core logs four Information lines per
/// request (request starting/finished, endpoint executing/executed) on top of the service's own audit line; under load
/// that alone was about 1 MB of log a minute. Its categories start at Warning here; the audit trail
/// (<c>Retrieval.Audit</c>), start-up lines (<c>Microsoft.Hosting.Lifetime</c>) and the service's own Information lines
/// stay.
/// </summary>
public static class LoggingDefaults
{
    public static IReadOnlyDictionary<string, string?> Values { get; } = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    /// <summary>Adds <see cref="Values"/> as the lowest-precedence source: any appsettings file, environment variable or argument overrides them.</summary>
    public static IConfigurationBuilder AddRetrievalLoggingDefaults(this IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Values });
        return configuration;
    }
}
