using Npgsql;

namespace Retrieval.Storage.Postgres;

/// <summary>
/// The PostgreSQL database behind every scale-out store: one <see cref="NpgsqlDataSource"/> (connection pool) whose
/// connections use <see cref="Schema"/> as their search path, and the schema migrations, applied once per process on
/// first use. One instance per process (a singleton).
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource dataSource;
    private readonly SemaphoreSlim initializeLock = new(1, 1);
    private volatile bool initialized;

    public PostgresDatabase(string connectionString, string schema = "retrieval")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(schema);
        if (!PostgresSchema.IsValidName(schema))
        {
            throw new ArgumentException($"'{schema}' is not a valid schema name (lower-case letters, digits and _).", nameof(schema));
        }

        Schema = schema;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.SearchPath = schema;
        dataSource = builder.Build();
    }

    public string Schema { get; }

    /// <summary>The <c>LISTEN/NOTIFY</c> channel on which enqueues and retries wake idle workers.</summary>
    public string JobChannel => "retrieval_jobs_" + Schema;

    /// <summary>Creates the schema and applies pending migrations (under an advisory lock, so concurrent processes are safe). Idempotent.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (initialized)
        {
            return;
        }

        await initializeLock.WaitAsync(cancellationToken);
        try
        {
            if (!initialized)
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await PostgresSchema.MigrateAsync(connection, Schema, cancellationToken);
                initialized = true;
            }
        }
        finally
        {
            initializeLock.Release();
        }
    }

    /// <summary>An open pooled connection (migrating the schema on first use). The caller disposes it.</summary>
    internal async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        return await dataSource.OpenConnectionAsync(cancellationToken);
    }

    /// <summary>A transaction on a new connection, rolled back unless committed.</summary>
    internal async Task<PostgresTransaction> BeginAsync(CancellationToken cancellationToken, System.Data.IsolationLevel isolation = System.Data.IsolationLevel.ReadCommitted)
    {
        var connection = await OpenAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(isolation, cancellationToken);
            return new PostgresTransaction(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A transaction that changes documents, chunks or ACL sets. It first locks the store's one head row, so such
    /// writers commit one after another: chunk sequence numbers, deletion-log ids and ACL-set ids then become visible in
    /// increasing order, which is what lets a vector index follow the tables by "everything above the last id I saw".
    /// The lock is held only for the upsert itself (milliseconds); parsing and embedding happen before it.
    /// </summary>
    internal async Task<PostgresTransaction> BeginStoreWriteAsync(CancellationToken cancellationToken)
    {
        var write = await BeginAsync(cancellationToken);
        try
        {
            await using var head = write.Command("UPDATE store_head SET writes = writes + 1 WHERE id = 1;");
            await head.ExecuteNonQueryAsync(cancellationToken);
            return write;
        }
        catch
        {
            await write.DisposeAsync();
            throw;
        }
    }

    public void Dispose()
    {
        dataSource.Dispose();
        initializeLock.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await dataSource.DisposeAsync();
        initializeLock.Dispose();
    }
}

/// <summary>A connection with an open transaction; disposing it rolls back anything not committed.</summary>
internal sealed class PostgresTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
{
    public NpgsqlConnection Connection { get; } = connection;

    public NpgsqlTransaction Transaction { get; } = transaction;

    public NpgsqlCommand Command(string sql) => new(sql, Connection, Transaction);

    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
