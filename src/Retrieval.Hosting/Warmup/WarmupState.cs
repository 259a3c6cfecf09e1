using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Retrieval.Hosting.Warmup;

/// <summary>Where the start-up warm-up stands.</summary>
internal enum WarmupOutcome
{
    Running,
    Completed,
    TimedOut,
    Failed,
    Disabled,
}

/// <summary>The warm-up's progress, shared by <see cref="StartupWarmup"/> and the readiness check.</summary>
internal sealed class WarmupState(IOptions<WarmupOptions> options)
{
    private volatile string _step = "starting";
    private int _outcome = options.Value.Enabled ? (int)WarmupOutcome.Running : (int)WarmupOutcome.Disabled;

    public WarmupOutcome Outcome => (WarmupOutcome)Volatile.Read(ref _outcome);

    /// <summary>The step running now (for the "warming" reason).</summary>
    public string Step
    {
        get => _step;
        set => _step = value;
    }

    public double DurationMs { get; private set; }

    public void Finish(WarmupOutcome outcome, double durationMs)
    {
        DurationMs = durationMs;
        Volatile.Write(ref _outcome, (int)outcome);
    }
}

/// <summary>
/// Readiness: degraded ("warming"; <c>/health/ready</c> answers 503 for degraded too, and the health service logs a
/// warning per probe rather than an error) while the warm-up runs; healthy once it has
/// finished, timed out or failed (those two log a warning: a cold process still serves), or when it is off.
/// </summary>
internal sealed class WarmupHealthCheck(WarmupState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var outcome = state.Outcome;
        var data = new Dictionary<string, object> { ["state"] = outcome.ToString().ToLowerInvariant() };
        if (outcome == WarmupOutcome.Running)
        {
            data["step"] = state.Step;
            return Task.FromResult(HealthCheckResult.Degraded($"warming: {state.Step}", data: data));
        }

        if (outcome != WarmupOutcome.Disabled)
        {
            data["durationMs"] = Math.Round(state.DurationMs);
        }

        var description = outcome switch
        {
            WarmupOutcome.Completed => "warm",
            WarmupOutcome.Disabled => "warm-up off",
            _ => "warm-up did not finish; serving",
        };
        return Task.FromResult(HealthCheckResult.Healthy(description, data));
    }
}
