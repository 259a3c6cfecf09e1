using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Retrieval.Core.Jobs;

namespace Retrieval.Storage.Postgres;

/// <summary>
/// Wakes this process's idle ingestion workers when a job is enqueued, released or retried anywhere: it keeps one
/// connection <c>LISTEN</c>ing on <see cref="PostgresDatabase.JobChannel"/> and turns each notification into
/// <see cref="JobSignal.Notify"/>, the hook <see cref="IngestionWorker"/> waits on between polls. Polling
/// (<c>Retrieval:Worker:PollInterval</c>) stays as the fallback, for delayed retries and while the connection is down.
/// </summary>
public sealed partial class PostgresJobListener : BackgroundService
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(5);

    private readonly PostgresDatabase database;
    private readonly JobSignal signal;
    private readonly ILogger<PostgresJobListener> logger;

    public PostgresJobListener(PostgresDatabase database, JobSignal signal, ILogger<PostgresJobListener> logger)
    {
        this.database = database;
        this.signal = signal;
        this.logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenAsync(stoppingToken);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN \"{database.JobChannel}\";", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                LogListening(logger, database.JobChannel);
                signal.Notify(); // jobs enqueued while we were not listening
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                LogConnectionLost(logger, ex);
                await Task.Delay(ReconnectDelay, stoppingToken);
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e) => signal.Notify();

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for job notifications on channel {Channel}")]
    private static partial void LogListening(ILogger logger, string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job notification connection lost; workers poll until it is back")]
    private static partial void LogConnectionLost(ILogger logger, Exception exception);
}
