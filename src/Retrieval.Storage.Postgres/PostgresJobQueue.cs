using Npgsql;
using NpgsqlTypes;
using Retrieval.Core.Jobs;

namespace Retrieval.Storage.Postgres;

/// <summary>
/// The durable ingestion queue in PostgreSQL, for any number of workers on any number of machines. A claim picks the
/// oldest runnable job with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent workers never wait on each other nor get the
/// same job. Lease-bearing calls lock the job row and are fenced by worker id and attempt number: a worker whose lease
/// expired and was taken over can no longer record, complete or fail the job. Enqueues, releases and retries send a
/// <c>NOTIFY</c> on <see cref="PostgresDatabase.JobChannel"/> (delivered at commit) that wakes idle workers
/// (<see cref="PostgresJobListener"/>). Times come from the <see cref="TimeProvider"/>, not the server clock.
/// </summary>
public sealed class PostgresJobQueue : IJobQueue
{
    private const string Queued = "queued";
    private const string Running = "running";
    private const string Succeeded = "succeeded";
    private const string Failed = "failed";
    private const string Cancelled = "cancelled";

    private const string StatusColumns =
        "id, tenant, submitted_by, state, total, succeeded, failed, chunks, tokens, attempts, last_error, execution_provider, " +
        "created_at, started_at, finished_at";

    private const string LeaseCondition =
        "id = @job AND state = 'running' AND lease_owner = @worker AND attempts = @attempt";

    private readonly PostgresDatabase database;
    private readonly TimeProvider timeProvider;
    private readonly JobQueueOptions options;

    public PostgresJobQueue(PostgresDatabase database, TimeProvider? timeProvider = null, JobQueueOptions? options = null)
    {
        this.database = database ?? throw new ArgumentNullException(nameof(database));
        this.timeProvider = timeProvider ?? TimeProvider.System;
        this.options = options ?? new JobQueueOptions();
        this.options.Validate();
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => database.InitializeAsync(cancellationToken);

    public async Task<string> EnqueueAsync(JobSubmission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentException.ThrowIfNullOrWhiteSpace(submission.Tenant);
        ArgumentException.ThrowIfNullOrWhiteSpace(submission.SubmittedBy);
        var now = timeProvider.GetUtcNow();
        var id = Guid.CreateVersion7(now).ToString("N");

        await using var write = await database.BeginAsync(cancellationToken);
        if (options.MaxActivePerTenant > 0)
        {
            // A transaction-scoped advisory lock per tenant (and schema) serializes the tenant's submissions across
            // API instances; under READ COMMITTED the count, taken after the lock, sees the previous holder's commit.
            await using (var lockTenant = write.Command(
                "SELECT pg_advisory_xact_lock(hashtextextended('retrieval.jobs.active/' || current_schema() || '/' || @tenant, 0));"))
            {
                lockTenant.Parameters.AddWithValue("tenant", submission.Tenant);
                await lockTenant.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var count = write.Command("SELECT COUNT(*) FROM jobs WHERE tenant = @tenant AND state IN ('queued', 'running');");
            count.Parameters.AddWithValue("tenant", submission.Tenant);
            var active = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
            options.EnsureBelowActiveCap(active);
        }

        await using var batch = new NpgsqlBatch(write.Connection, write.Transaction);
        var insert = new NpgsqlBatchCommand(
            """
            INSERT INTO jobs(id, tenant, submitted_by, state, acl, metadata, total, created_at, next_attempt_at)
            VALUES (@id, @tenant, @submittedBy, 'queued', @acl, @metadata, @total, @now, @now);
            """);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("tenant", submission.Tenant);
        insert.Parameters.AddWithValue("submittedBy", submission.SubmittedBy);
        insert.Parameters.Add(PostgresValues.TextArray("acl", submission.Acl));
        insert.Parameters.Add(PostgresValues.Jsonb("metadata", submission.Metadata));
        insert.Parameters.AddWithValue("total", submission.Items.Count);
        insert.Parameters.AddWithValue("now", now);
        batch.BatchCommands.Add(insert);

        for (var i = 0; i < submission.Items.Count; i++)
        {
            var item = submission.Items[i];
            var row = new NpgsqlBatchCommand(
                "INSERT INTO job_items(job_id, idx, source, server_path, content_type, has_content, content) VALUES ($1, $2, $3, $4, $5, $6, $7);");
            row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = id });
            row.Parameters.Add(new NpgsqlParameter<int> { TypedValue = i });
            row.Parameters.Add(new NpgsqlParameter<string> { TypedValue = item.Source });
            row.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = PostgresValues.DbValue(item.ServerPath) });
            row.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = PostgresValues.DbValue(item.ContentType) });
            row.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = item.Content is not null });
            row.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = PostgresValues.DbValue(item.Content) });
            batch.BatchCommands.Add(row);
        }

        batch.BatchCommands.Add(NotifyCommand());
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await write.CommitAsync(cancellationToken);
        return id;
    }

    public async Task<JobStatus?> GetAsync(string tenant, string jobId, CancellationToken cancellationToken)
    {
        await using var read = await database.BeginAsync(cancellationToken, System.Data.IsolationLevel.RepeatableRead);
        await using var command = read.Command($"SELECT {StatusColumns} FROM jobs WHERE tenant = @tenant AND id = @id;");
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("id", jobId);
        var statuses = await ReadStatusesAsync(command, cancellationToken);
        return statuses.Count == 0 ? null : await WithErrorsAsync(read, statuses[0], cancellationToken);
    }

    public async Task<IReadOnlyList<JobStatus>> ListAsync(string tenant, string? submittedBy, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        await using var read = await database.BeginAsync(cancellationToken, System.Data.IsolationLevel.RepeatableRead);
        await using var command = read.Command(
            $"""
            SELECT {StatusColumns} FROM jobs
            WHERE tenant = @tenant AND (@submittedBy::text IS NULL OR submitted_by = @submittedBy::text)
            ORDER BY seq DESC LIMIT @limit;
            """);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.Add(new NpgsqlParameter("submittedBy", NpgsqlDbType.Text) { Value = PostgresValues.DbValue(submittedBy) });
        command.Parameters.AddWithValue("limit", limit);
        var statuses = await ReadStatusesAsync(command, cancellationToken);
        var result = new List<JobStatus>(statuses.Count);
        foreach (var status in statuses)
        {
            result.Add(await WithErrorsAsync(read, status, cancellationToken));
        }

        return result;
    }

    public async Task<CancelOutcome> CancelAsync(string tenant, string jobId, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginAsync(cancellationToken);
        string? state;
        await using (var find = write.Command("SELECT state FROM jobs WHERE tenant = @tenant AND id = @id FOR UPDATE;"))
        {
            find.Parameters.AddWithValue("tenant", tenant);
            find.Parameters.AddWithValue("id", jobId);
            state = await find.ExecuteScalarAsync(cancellationToken) as string;
        }

        switch (state)
        {
            case null:
                return CancelOutcome.NotFound;
            case Queued:
                await FinishAsync(write, jobId, Cancelled, cancellationToken);
                break;
            case Running:
                // The worker sees the request when it renews its lease, and stops.
                await using (var request = write.Command("UPDATE jobs SET cancel_requested = true WHERE id = @id;"))
                {
                    request.Parameters.AddWithValue("id", jobId);
                    await request.ExecuteNonQueryAsync(cancellationToken);
                }

                break;
            default:
                return CancelOutcome.AlreadyFinished;
        }

        await write.CommitAsync(cancellationToken);
        return CancelOutcome.Cancelled;
    }

    public async Task<JobLease?> ClaimAsync(string workerId, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        var now = timeProvider.GetUtcNow();
        var leaseUntil = now + leaseDuration;

        await using var write = await database.BeginAsync(cancellationToken);
        await SettleAbandonedAsync(write, now, cancellationToken);

        string jobId;
        string tenant;
        string submittedBy;
        string[] acl;
        IReadOnlyDictionary<string, string> metadata;
        int attempt;
        await using (var claim = write.Command(
            """
            UPDATE jobs SET state = 'running', lease_owner = @worker, lease_until = @until, attempts = attempts + 1,
                            started_at = COALESCE(started_at, @now)
            WHERE seq = (SELECT seq FROM jobs
                         WHERE (state = 'queued' AND next_attempt_at <= @now)
                            OR (state = 'running' AND lease_until <= @now AND NOT cancel_requested AND attempts < @max)
                         ORDER BY seq LIMIT 1
                         FOR UPDATE SKIP LOCKED)
            RETURNING id, tenant, submitted_by, acl, metadata::text, attempts;
            """))
        {
            claim.Parameters.AddWithValue("worker", workerId);
            claim.Parameters.AddWithValue("until", leaseUntil);
            claim.Parameters.AddWithValue("now", now);
            claim.Parameters.AddWithValue("max", options.MaxAttempts);
            await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                await reader.DisposeAsync();
                await write.CommitAsync(cancellationToken);
                return null;
            }

            jobId = reader.GetString(0);
            tenant = reader.GetString(1);
            submittedBy = reader.GetString(2);
            acl = reader.GetFieldValue<string[]>(3);
            metadata = PostgresValues.MapFromJson(reader.GetString(4));
            attempt = reader.GetInt32(5);
        }

        var items = new List<JobItemRef>();
        await using (var select = write.Command(
            "SELECT idx, source, server_path, content_type, has_content, done FROM job_items WHERE job_id = @job ORDER BY idx;"))
        {
            select.Parameters.AddWithValue("job", jobId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new JobItemRef(
                    reader.GetInt32(0), reader.GetString(1), PostgresValues.GetNullableString(reader, 2),
                    PostgresValues.GetNullableString(reader, 3), reader.GetBoolean(4), reader.GetBoolean(5)));
            }
        }

        await write.CommitAsync(cancellationToken);
        return new JobLease(jobId, tenant, submittedBy, acl, metadata, workerId, attempt, leaseUntil, items);
    }

    public async Task<bool> RenewAsync(JobLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var until = timeProvider.GetUtcNow() + leaseDuration;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var renew = new NpgsqlCommand($"UPDATE jobs SET lease_until = @until WHERE {LeaseCondition} AND NOT cancel_requested;", connection);
        BindLease(renew, lease);
        renew.Parameters.AddWithValue("until", until);
        return await renew.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> ReleaseAsync(JobLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var write = await database.BeginAsync(cancellationToken);
        await using var release = write.Command(
            $"""
            UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL, attempts = GREATEST(attempts - 1, 0), next_attempt_at = @now
            WHERE {LeaseCondition} AND NOT cancel_requested;
            """);
        BindLease(release, lease);
        release.Parameters.AddWithValue("now", timeProvider.GetUtcNow());
        var released = await release.ExecuteNonQueryAsync(cancellationToken) == 1;
        if (released)
        {
            await NotifyAsync(write, cancellationToken);
        }

        await write.CommitAsync(cancellationToken);
        return released;
    }

    public async Task<byte[]?> ReadItemContentAsync(string jobId, int index, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT content FROM job_items WHERE job_id = @job AND idx = @idx;", connection);
        command.Parameters.AddWithValue("job", jobId);
        command.Parameters.AddWithValue("idx", index);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    public async Task RecordItemAsync(JobLease lease, int index, JobItemOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(outcome);
        await using var write = await database.BeginAsync(cancellationToken);
        await EnsureLeaseAsync(write, lease, cancellationToken);

        // One statement: mark the item done (once) and add its counts to the job only if it was not done before.
        await using var record = write.Command(
            """
            WITH recorded AS (
                UPDATE job_items SET done = true, succeeded = @succeeded, document_id = @document, chunks = @chunks, tokens = @tokens, error = @error
                WHERE job_id = @job AND idx = @idx AND NOT done
                RETURNING 1)
            UPDATE jobs SET succeeded = succeeded + @ok, failed = failed + @bad, chunks = chunks + @chunks, tokens = tokens + @tokens
            WHERE id = @job AND EXISTS (SELECT 1 FROM recorded)
            RETURNING 1;
            """);
        record.Parameters.AddWithValue("job", lease.JobId);
        record.Parameters.AddWithValue("idx", index);
        record.Parameters.AddWithValue("succeeded", outcome.Succeeded);
        record.Parameters.Add(new NpgsqlParameter("document", NpgsqlDbType.Text) { Value = PostgresValues.DbValue(outcome.DocumentId) });
        record.Parameters.AddWithValue("chunks", outcome.Chunks);
        record.Parameters.AddWithValue("tokens", outcome.Tokens);
        record.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text)
        {
            Value = PostgresValues.DbValue(outcome.Succeeded ? null : Truncate(outcome.Error ?? "Unknown error.")),
        });
        record.Parameters.AddWithValue("ok", outcome.Succeeded ? 1 : 0);
        record.Parameters.AddWithValue("bad", outcome.Succeeded ? 0 : 1);
        if (await record.ExecuteScalarAsync(cancellationToken) is null)
        {
            // Nothing recorded: a retried call or an earlier attempt did it already (counted once) — or no such item.
            await using var exists = write.Command("SELECT EXISTS (SELECT 1 FROM job_items WHERE job_id = @job AND idx = @idx);");
            exists.Parameters.AddWithValue("job", lease.JobId);
            exists.Parameters.AddWithValue("idx", index);
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Job '{lease.JobId}' has no item {index}.");
            }
        }

        await write.CommitAsync(cancellationToken);
    }

    public async Task CompleteAsync(JobLease lease, string executionProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var write = await database.BeginAsync(cancellationToken);
        var (total, failed, cancelRequested) = await EnsureLeaseAsync(write, lease, cancellationToken);
        var state = cancelRequested ? Cancelled : total > 0 && failed == total ? Failed : Succeeded;
        await using (var provider = write.Command("UPDATE jobs SET execution_provider = @provider WHERE id = @job;"))
        {
            provider.Parameters.Add(new NpgsqlParameter("provider", NpgsqlDbType.Text) { Value = PostgresValues.DbValue(executionProvider) });
            provider.Parameters.AddWithValue("job", lease.JobId);
            await provider.ExecuteNonQueryAsync(cancellationToken);
        }

        await FinishAsync(write, lease.JobId, state, cancellationToken);
        await write.CommitAsync(cancellationToken);
    }

    public async Task FailAsync(JobLease lease, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var now = timeProvider.GetUtcNow();
        await using var write = await database.BeginAsync(cancellationToken);
        var (_, _, cancelRequested) = await EnsureLeaseAsync(write, lease, cancellationToken);

        await using (var error = write.Command("UPDATE jobs SET last_error = @reason WHERE id = @job;"))
        {
            error.Parameters.AddWithValue("reason", Truncate(reason));
            error.Parameters.AddWithValue("job", lease.JobId);
            await error.ExecuteNonQueryAsync(cancellationToken);
        }

        if (cancelRequested || lease.Attempt >= options.MaxAttempts)
        {
            // Out of attempts: the failed state is the dead letter; the job keeps its error and item outcomes.
            await FinishAsync(write, lease.JobId, cancelRequested ? Cancelled : Failed, cancellationToken);
        }
        else
        {
            await using var retry = write.Command(
                "UPDATE jobs SET state = 'queued', next_attempt_at = @next, lease_owner = NULL, lease_until = NULL WHERE id = @job;");
            retry.Parameters.AddWithValue("next", now + options.BackoffAfter(lease.Attempt));
            retry.Parameters.AddWithValue("job", lease.JobId);
            await retry.ExecuteNonQueryAsync(cancellationToken);
        }

        await write.CommitAsync(cancellationToken);
    }

    public async Task<int> CountPendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running');", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Running jobs whose worker vanished (lease expired): cancelled if a cancel was requested, failed if that was the
    /// last attempt. The others stay claimable and are resumed by the claim that follows. Rows another worker is
    /// settling or claiming right now are skipped, not waited for.
    /// </summary>
    private async Task SettleAbandonedAsync(PostgresTransaction write, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var settle = write.Command(
            """
            WITH settled AS (
                UPDATE jobs SET
                    state = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'failed' END,
                    last_error = CASE WHEN cancel_requested THEN last_error ELSE COALESCE(last_error, @reason) END,
                    finished_at = @now, lease_owner = NULL, lease_until = NULL
                WHERE seq IN (SELECT seq FROM jobs
                              WHERE state = 'running' AND lease_until <= @now AND (cancel_requested OR attempts >= @max)
                              FOR UPDATE SKIP LOCKED)
                RETURNING id)
            UPDATE job_items SET content = NULL WHERE job_id IN (SELECT id FROM settled) AND content IS NOT NULL;
            """);
        settle.Parameters.AddWithValue("now", now);
        settle.Parameters.AddWithValue("max", options.MaxAttempts);
        settle.Parameters.AddWithValue("reason", $"The worker's lease expired on the last of {options.MaxAttempts} attempts.");
        await settle.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Moves a job to a final state and drops its uploaded bytes.</summary>
    private async Task FinishAsync(PostgresTransaction write, string jobId, string state, CancellationToken cancellationToken)
    {
        await using var finish = write.Command(
            """
            UPDATE jobs SET state = @state, finished_at = @now, lease_owner = NULL, lease_until = NULL WHERE id = @job;
            UPDATE job_items SET content = NULL WHERE job_id = @job AND content IS NOT NULL;
            """);
        finish.Parameters.AddWithValue("state", state);
        finish.Parameters.AddWithValue("now", timeProvider.GetUtcNow());
        finish.Parameters.AddWithValue("job", jobId);
        await finish.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Locks the job row and throws unless the lease is still held; returns the item total, failures and cancel flag.</summary>
    private static async Task<(int Total, int Failed, bool CancelRequested)> EnsureLeaseAsync(PostgresTransaction write, JobLease lease, CancellationToken cancellationToken)
    {
        await using var check = write.Command($"SELECT total, failed, cancel_requested FROM jobs WHERE {LeaseCondition} FOR UPDATE;");
        BindLease(check, lease);
        await using var reader = await check.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new JobLeaseLostException(
                $"Worker '{lease.WorkerId}' no longer holds the lease on job '{lease.JobId}' (attempt {lease.Attempt}): it expired and was taken over, or the job finished.");
        }

        return (reader.GetInt32(0), reader.GetInt32(1), reader.GetBoolean(2));
    }

    private NpgsqlBatchCommand NotifyCommand()
    {
        var notify = new NpgsqlBatchCommand("SELECT pg_notify($1, '');");
        notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = database.JobChannel });
        return notify;
    }

    private async Task NotifyAsync(PostgresTransaction write, CancellationToken cancellationToken)
    {
        await using var notify = write.Command("SELECT pg_notify(@channel, '');");
        notify.Parameters.AddWithValue("channel", database.JobChannel);
        await notify.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void BindLease(NpgsqlCommand command, JobLease lease)
    {
        command.Parameters.AddWithValue("job", lease.JobId);
        command.Parameters.AddWithValue("worker", lease.WorkerId);
        command.Parameters.AddWithValue("attempt", lease.Attempt);
    }

    private static async Task<List<JobStatus>> ReadStatusesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var statuses = new List<JobStatus>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            statuses.Add(new JobStatus(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                ParseState(reader.GetString(3)),
                reader.GetInt32(4),
                reader.GetInt32(5),
                reader.GetInt32(6),
                reader.GetInt64(7),
                reader.GetInt64(8),
                [],
                reader.GetInt32(9),
                PostgresValues.GetNullableString(reader, 10),
                PostgresValues.GetNullableString(reader, 11),
                reader.GetFieldValue<DateTimeOffset>(12),
                PostgresValues.GetNullableInstant(reader, 13),
                PostgresValues.GetNullableInstant(reader, 14)));
        }

        return statuses;
    }

    private async Task<JobStatus> WithErrorsAsync(PostgresTransaction read, JobStatus status, CancellationToken cancellationToken)
    {
        if (status.Failed == 0)
        {
            return status;
        }

        await using var command = read.Command(
            "SELECT source, error FROM job_items WHERE job_id = @job AND done AND NOT succeeded ORDER BY idx LIMIT @max;");
        command.Parameters.AddWithValue("job", status.Id);
        command.Parameters.AddWithValue("max", options.MaxReportedErrors);
        var errors = new List<JobError>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            errors.Add(new JobError(reader.GetString(0), reader.IsDBNull(1) ? string.Empty : reader.GetString(1)));
        }

        return status with { Errors = errors };
    }

    private string Truncate(string message) =>
        message.Length <= options.MaxErrorLength ? message : message[..options.MaxErrorLength] + "…";

    private static JobState ParseState(string state) => state switch
    {
        Queued => JobState.Queued,
        Running => JobState.Running,
        Succeeded => JobState.Succeeded,
        Failed => JobState.Failed,
        Cancelled => JobState.Cancelled,
        _ => throw new InvalidDataException($"Unknown job state '{state}'."),
    };
}
