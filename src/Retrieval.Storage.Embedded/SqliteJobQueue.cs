using Microsoft.Data.Sqlite;
using Retrieval.Core.Jobs;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// The durable ingestion queue in the embedded SQLite file. A claim is one <c>UPDATE … RETURNING</c> under the write
/// lock, so two workers (threads or processes) never hold the same job. Lease-bearing calls are fenced by worker id and
/// attempt number: a worker whose lease expired and was taken over can no longer record, complete or fail the job.
/// </summary>
public sealed class SqliteJobQueue : IJobQueue
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
        "id = $job AND state = 'running' AND lease_owner = $worker AND attempts = $attempt";

    private readonly EmbeddedDatabase database;
    private readonly TimeProvider timeProvider;
    private readonly JobQueueOptions options;

    public SqliteJobQueue(EmbeddedDatabase database, TimeProvider? timeProvider = null, JobQueueOptions? options = null)
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

        // The write transaction serializes submissions (in-process lock and SQLite's write lock across processes),
        // so the count and the insert cannot interleave with another submission of the tenant.
        await using var write = await database.BeginWriteAsync(cancellationToken);
        if (options.MaxActivePerTenant > 0)
        {
            await using var count = write.CreateCommand("SELECT COUNT(*) FROM jobs WHERE tenant = $tenant AND state IN ('queued', 'running');");
            count.Parameters.AddWithValue("$tenant", submission.Tenant);
            options.EnsureBelowActiveCap((long)(await count.ExecuteScalarAsync(cancellationToken))!);
        }

        await using (var insert = write.CreateCommand(
            """
            INSERT INTO jobs(id, tenant, submitted_by, state, acl_json, metadata_json, total, created_at, next_attempt_at)
            VALUES ($id, $tenant, $submittedBy, 'queued', $acl, $metadata, $total, $now, $now);
            """))
        {
            insert.Parameters.AddWithValue("$id", id);
            insert.Parameters.AddWithValue("$tenant", submission.Tenant);
            insert.Parameters.AddWithValue("$submittedBy", submission.SubmittedBy);
            insert.Parameters.AddWithValue("$acl", SqliteValues.ListToJson(submission.Acl));
            insert.Parameters.AddWithValue("$metadata", SqliteValues.MapToJson(submission.Metadata));
            insert.Parameters.AddWithValue("$total", submission.Items.Count);
            insert.Parameters.AddWithValue("$now", SqliteValues.ToTicks(now));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var item = write.CreateCommand(
            """
            INSERT INTO job_items(job_id, idx, source, server_path, content_type, has_content, content)
            VALUES ($job, $idx, $source, $path, $contentType, $hasContent, $content);
            """))
        {
            item.Parameters.AddWithValue("$job", id);
            var index = item.Parameters.Add("$idx", SqliteType.Integer);
            var source = item.Parameters.Add("$source", SqliteType.Text);
            var path = item.Parameters.Add("$path", SqliteType.Text);
            var contentType = item.Parameters.Add("$contentType", SqliteType.Text);
            var hasContent = item.Parameters.Add("$hasContent", SqliteType.Integer);
            var content = item.Parameters.Add("$content", SqliteType.Blob);
            for (var i = 0; i < submission.Items.Count; i++)
            {
                var jobItem = submission.Items[i];
                index.Value = i;
                source.Value = jobItem.Source;
                path.Value = SqliteValues.DbValue(jobItem.ServerPath);
                contentType.Value = SqliteValues.DbValue(jobItem.ContentType);
                hasContent.Value = jobItem.Content is null ? 0 : 1;
                content.Value = SqliteValues.DbValue(jobItem.Content);
                await item.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await write.CommitAsync(cancellationToken);
        return id;
    }

    public async Task<JobStatus?> GetAsync(string tenant, string jobId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: true);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {StatusColumns} FROM jobs WHERE tenant = $tenant AND id = $id;";
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$id", jobId);
        var statuses = await ReadStatusesAsync(command, cancellationToken);
        return statuses.Count == 0 ? null : await WithErrorsAsync(connection, transaction, statuses[0], cancellationToken);
    }

    public async Task<IReadOnlyList<JobStatus>> ListAsync(string tenant, string? submittedBy, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return [];
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: true);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            $"""
            SELECT {StatusColumns} FROM jobs
            WHERE tenant = $tenant AND ($submittedBy IS NULL OR submitted_by = $submittedBy)
            ORDER BY seq DESC LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$submittedBy", SqliteValues.DbValue(submittedBy));
        command.Parameters.AddWithValue("$limit", limit);
        var statuses = await ReadStatusesAsync(command, cancellationToken);
        var result = new List<JobStatus>(statuses.Count);
        foreach (var status in statuses)
        {
            result.Add(await WithErrorsAsync(connection, transaction, status, cancellationToken));
        }

        return result;
    }

    public async Task<CancelOutcome> CancelAsync(string tenant, string jobId, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        string? state;
        await using (var find = write.CreateCommand("SELECT state FROM jobs WHERE tenant = $tenant AND id = $id;"))
        {
            find.Parameters.AddWithValue("$tenant", tenant);
            find.Parameters.AddWithValue("$id", jobId);
            state = await find.ExecuteScalarAsync(cancellationToken) as string;
        }

        CancelOutcome outcome;
        switch (state)
        {
            case null:
                return CancelOutcome.NotFound;
            case Queued:
                await FinishAsync(write, jobId, Cancelled, cancellationToken);
                outcome = CancelOutcome.Cancelled;
                break;
            case Running:
                // The worker sees the request when it renews its lease, and stops.
                await using (var request = write.CreateCommand("UPDATE jobs SET cancel_requested = 1 WHERE id = $id;"))
                {
                    request.Parameters.AddWithValue("$id", jobId);
                    await request.ExecuteNonQueryAsync(cancellationToken);
                }

                outcome = CancelOutcome.Cancelled;
                break;
            default:
                return CancelOutcome.AlreadyFinished;
        }

        await write.CommitAsync(cancellationToken);
        return outcome;
    }

    public async Task<JobLease?> ClaimAsync(string workerId, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        var now = timeProvider.GetUtcNow();
        var leaseUntil = now + leaseDuration;

        await using var write = await database.BeginWriteAsync(cancellationToken);
        await SettleAbandonedAsync(write, now, cancellationToken);

        string jobId;
        string tenant;
        string submittedBy;
        IReadOnlyList<string> acl;
        IReadOnlyDictionary<string, string> metadata;
        int attempt;
        await using (var claim = write.CreateCommand(
            """
            UPDATE jobs SET state = 'running', lease_owner = $worker, lease_until = $until, attempts = attempts + 1,
                            started_at = COALESCE(started_at, $now)
            WHERE seq = (SELECT seq FROM jobs
                         WHERE (state = 'queued' AND next_attempt_at <= $now) OR (state = 'running' AND lease_until <= $now)
                         ORDER BY seq LIMIT 1)
            RETURNING id, tenant, submitted_by, acl_json, metadata_json, attempts;
            """))
        {
            claim.Parameters.AddWithValue("$worker", workerId);
            claim.Parameters.AddWithValue("$until", SqliteValues.ToTicks(leaseUntil));
            claim.Parameters.AddWithValue("$now", SqliteValues.ToTicks(now));
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
            acl = SqliteValues.ListFromJson(reader.GetString(3));
            metadata = SqliteValues.MapFromJson(reader.GetString(4));
            attempt = reader.GetInt32(5);
        }

        var items = new List<JobItemRef>();
        await using (var select = write.CreateCommand(
            "SELECT idx, source, server_path, content_type, has_content, done FROM job_items WHERE job_id = $job ORDER BY idx;"))
        {
            select.Parameters.AddWithValue("$job", jobId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new JobItemRef(
                    reader.GetInt32(0), reader.GetString(1), SqliteValues.GetNullableString(reader, 2),
                    SqliteValues.GetNullableString(reader, 3), reader.GetInt64(4) != 0, reader.GetInt64(5) != 0));
            }
        }

        await write.CommitAsync(cancellationToken);
        return new JobLease(jobId, tenant, submittedBy, acl, metadata, workerId, attempt, leaseUntil, items);
    }

    public async Task<bool> RenewAsync(JobLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var until = timeProvider.GetUtcNow() + leaseDuration;
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await using var renew = write.CreateCommand($"UPDATE jobs SET lease_until = $until WHERE {LeaseCondition} AND cancel_requested = 0;");
        BindLease(renew, lease);
        renew.Parameters.AddWithValue("$until", SqliteValues.ToTicks(until));
        var renewed = await renew.ExecuteNonQueryAsync(cancellationToken) == 1;
        await write.CommitAsync(cancellationToken);
        return renewed;
    }

    public async Task<bool> ReleaseAsync(JobLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await using var release = write.CreateCommand(
            $"""
            UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_until = NULL, attempts = MAX(attempts - 1, 0), next_attempt_at = $now
            WHERE {LeaseCondition} AND cancel_requested = 0;
            """);
        BindLease(release, lease);
        release.Parameters.AddWithValue("$now", SqliteValues.ToTicks(timeProvider.GetUtcNow()));
        var released = await release.ExecuteNonQueryAsync(cancellationToken) == 1;
        await write.CommitAsync(cancellationToken);
        return released;
    }

    public async Task<byte[]?> ReadItemContentAsync(string jobId, int index, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT content FROM job_items WHERE job_id = $job AND idx = $idx;";
        command.Parameters.AddWithValue("$job", jobId);
        command.Parameters.AddWithValue("$idx", index);
        return await command.ExecuteScalarAsync(cancellationToken) as byte[];
    }

    public async Task RecordItemAsync(JobLease lease, int index, JobItemOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(outcome);
        await using var write = await database.BeginWriteAsync(cancellationToken);
        await EnsureLeaseAsync(write, lease, cancellationToken);

        int recorded;
        await using (var record = write.CreateCommand(
            """
            UPDATE job_items SET done = 1, succeeded = $succeeded, document_id = $document, chunks = $chunks, tokens = $tokens, error = $error
            WHERE job_id = $job AND idx = $idx AND done = 0;
            """))
        {
            record.Parameters.AddWithValue("$job", lease.JobId);
            record.Parameters.AddWithValue("$idx", index);
            record.Parameters.AddWithValue("$succeeded", outcome.Succeeded ? 1 : 0);
            record.Parameters.AddWithValue("$document", SqliteValues.DbValue(outcome.DocumentId));
            record.Parameters.AddWithValue("$chunks", outcome.Chunks);
            record.Parameters.AddWithValue("$tokens", outcome.Tokens);
            record.Parameters.AddWithValue("$error", SqliteValues.DbValue(outcome.Succeeded ? null : Truncate(outcome.Error ?? "Unknown error.")));
            recorded = await record.ExecuteNonQueryAsync(cancellationToken);
        }

        if (recorded == 0)
        {
            await using var exists = write.CreateCommand("SELECT COUNT(*) FROM job_items WHERE job_id = $job AND idx = $idx;");
            exists.Parameters.AddWithValue("$job", lease.JobId);
            exists.Parameters.AddWithValue("$idx", index);
            if ((long)(await exists.ExecuteScalarAsync(cancellationToken))! == 0)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Job '{lease.JobId}' has no item {index}.");
            }

            return; // Already recorded (a retried call, or an earlier attempt): counted once.
        }

        await using (var counts = write.CreateCommand(
            """
            UPDATE jobs SET succeeded = succeeded + $ok, failed = failed + $bad, chunks = chunks + $chunks, tokens = tokens + $tokens
            WHERE id = $job;
            """))
        {
            counts.Parameters.AddWithValue("$job", lease.JobId);
            counts.Parameters.AddWithValue("$ok", outcome.Succeeded ? 1 : 0);
            counts.Parameters.AddWithValue("$bad", outcome.Succeeded ? 0 : 1);
            counts.Parameters.AddWithValue("$chunks", outcome.Chunks);
            counts.Parameters.AddWithValue("$tokens", outcome.Tokens);
            await counts.ExecuteNonQueryAsync(cancellationToken);
        }

        await write.CommitAsync(cancellationToken);
    }

    public async Task CompleteAsync(JobLease lease, string executionProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var (total, failed, cancelRequested) = await EnsureLeaseAsync(write, lease, cancellationToken);
        var state = cancelRequested ? Cancelled : total > 0 && failed == total ? Failed : Succeeded;
        await using (var provider = write.CreateCommand("UPDATE jobs SET execution_provider = $provider WHERE id = $job;"))
        {
            provider.Parameters.AddWithValue("$provider", SqliteValues.DbValue(executionProvider));
            provider.Parameters.AddWithValue("$job", lease.JobId);
            await provider.ExecuteNonQueryAsync(cancellationToken);
        }

        await FinishAsync(write, lease.JobId, state, cancellationToken);
        await write.CommitAsync(cancellationToken);
    }

    public async Task FailAsync(JobLease lease, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var now = timeProvider.GetUtcNow();
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var (_, _, cancelRequested) = await EnsureLeaseAsync(write, lease, cancellationToken);

        await using (var error = write.CreateCommand("UPDATE jobs SET last_error = $reason WHERE id = $job;"))
        {
            error.Parameters.AddWithValue("$reason", Truncate(reason));
            error.Parameters.AddWithValue("$job", lease.JobId);
            await error.ExecuteNonQueryAsync(cancellationToken);
        }

        if (cancelRequested || lease.Attempt >= options.MaxAttempts)
        {
            await FinishAsync(write, lease.JobId, cancelRequested ? Cancelled : Failed, cancellationToken);
        }
        else
        {
            await using var retry = write.CreateCommand(
                "UPDATE jobs SET state = 'queued', next_attempt_at = $next, lease_owner = NULL, lease_until = NULL WHERE id = $job;");
            retry.Parameters.AddWithValue("$next", SqliteValues.ToTicks(now + options.BackoffAfter(lease.Attempt)));
            retry.Parameters.AddWithValue("$job", lease.JobId);
            await retry.ExecuteNonQueryAsync(cancellationToken);
        }

        await write.CommitAsync(cancellationToken);
    }

    public async Task<int> CountPendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running');";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Running jobs whose worker vanished (lease expired): cancelled if a cancel was requested, failed if that was the
    /// last attempt. The others stay claimable and are resumed by the claim that follows.
    /// </summary>
    private async Task SettleAbandonedAsync(WriteTransaction write, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settled = new List<(string Id, string State)>();
        await using (var find = write.CreateCommand(
            """
            SELECT id, CASE WHEN cancel_requested = 1 THEN 'cancelled' ELSE 'failed' END FROM jobs
            WHERE state = 'running' AND lease_until <= $now AND (cancel_requested = 1 OR attempts >= $max);
            """))
        {
            find.Parameters.AddWithValue("$now", SqliteValues.ToTicks(now));
            find.Parameters.AddWithValue("$max", options.MaxAttempts);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                settled.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var (id, state) in settled)
        {
            if (state == Failed)
            {
                await using var error = write.CreateCommand(
                    "UPDATE jobs SET last_error = COALESCE(last_error, $reason) WHERE id = $job;");
                error.Parameters.AddWithValue("$reason", $"The worker's lease expired on the last of {options.MaxAttempts} attempts.");
                error.Parameters.AddWithValue("$job", id);
                await error.ExecuteNonQueryAsync(cancellationToken);
            }

            await FinishAsync(write, id, state, cancellationToken);
        }
    }

    /// <summary>Moves a job to a final state and drops its uploaded bytes.</summary>
    private async Task FinishAsync(WriteTransaction write, string jobId, string state, CancellationToken cancellationToken)
    {
        await using var finish = write.CreateCommand(
            """
            UPDATE jobs SET state = $state, finished_at = $now, lease_owner = NULL, lease_until = NULL WHERE id = $job;
            UPDATE job_items SET content = NULL WHERE job_id = $job AND content IS NOT NULL;
            """);
        finish.Parameters.AddWithValue("$state", state);
        finish.Parameters.AddWithValue("$now", SqliteValues.ToTicks(timeProvider.GetUtcNow()));
        finish.Parameters.AddWithValue("$job", jobId);
        await finish.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Throws unless the lease is still held; returns the job's item total, failures and cancel flag.</summary>
    private static async Task<(int Total, int Failed, bool CancelRequested)> EnsureLeaseAsync(WriteTransaction write, JobLease lease, CancellationToken cancellationToken)
    {
        await using var check = write.CreateCommand($"SELECT total, failed, cancel_requested FROM jobs WHERE {LeaseCondition};");
        BindLease(check, lease);
        await using var reader = await check.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new JobLeaseLostException(
                $"Worker '{lease.WorkerId}' no longer holds the lease on job '{lease.JobId}' (attempt {lease.Attempt}): it expired and was taken over, or the job finished.");
        }

        return (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2) != 0);
    }

    private static void BindLease(SqliteCommand command, JobLease lease)
    {
        command.Parameters.AddWithValue("$job", lease.JobId);
        command.Parameters.AddWithValue("$worker", lease.WorkerId);
        command.Parameters.AddWithValue("$attempt", lease.Attempt);
    }

    private static async Task<List<JobStatus>> ReadStatusesAsync(SqliteCommand command, CancellationToken cancellationToken)
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
                SqliteValues.GetNullableString(reader, 10),
                SqliteValues.GetNullableString(reader, 11),
                SqliteValues.FromTicks(reader.GetInt64(12)),
                SqliteValues.FromNullableTicks(reader, 13),
                SqliteValues.FromNullableTicks(reader, 14)));
        }

        return statuses;
    }

    private async Task<JobStatus> WithErrorsAsync(SqliteConnection connection, SqliteTransaction transaction, JobStatus status, CancellationToken cancellationToken)
    {
        if (status.Failed == 0)
        {
            return status;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            "SELECT source, error FROM job_items WHERE job_id = $job AND done = 1 AND succeeded = 0 ORDER BY idx LIMIT $max;";
        command.Parameters.AddWithValue("$job", status.Id);
        command.Parameters.AddWithValue("$max", options.MaxReportedErrors);
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
