using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Retrieval.Api.Tests;

/// <summary>The service's default log levels (<c>LoggingDefaults</c>): quiet framework request logs, audit kept, all overridable.</summary>
public sealed class LoggingDefaultsTests
{
    [Fact]
    public void Defaults_FrameworkRequestLinesOff_AuditAndServiceLinesOn()
    {
        using var factory = new RetrievalApiFactory();
        var loggers = factory.Services.GetRequiredService<ILoggerFactory>();

        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Retrieval.Audit").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Retrieval.Core.Jobs.IngestionWorker").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void Configuration_OverridesTheDefaults()
    {
        using var factory = new RetrievalApiFactory(settings: new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information",
            ["Logging:LogLevel:Retrieval.Audit"] = "None",
        });
        var loggers = factory.Services.GetRequiredService<ILoggerFactory>();

        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Retrieval.Audit").IsEnabled(LogLevel.Critical));
    }
}
