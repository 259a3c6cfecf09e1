using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Retrieval.Core.Options;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// The single SQLite file behind every embedded store (documents, chunks, FTS5, vectors, jobs).
/// One instance per process (a singleton): it owns the schema, the connection pool and the write lock.
/// Connections are opened per operation (pooled by Microsoft.Data.Sqlite); writers serialize on
/// <see cref="BeginWriteAsync"/> inside the process and on SQLite's own lock (busy_timeout) across processes.
/// </summary>
public sealed class EmbeddedDatabase : IDisposable
{
    // journal_mode=WAL: readers never block the writer and see a consistent snapshot per transaction.
    // synchronous=NORMAL in WAL mode: a committed transaction survives a crash of the process (the WAL is
    // written before the commit returns), but the last transactions may be rolled back by a power loss or an
    // OS crash, because the WAL is fsynced only at checkpoints. The database is never corrupted either way.
    // Our promise is "an acknowledged ingest survives a process crash", which NORMAL keeps; FULL would add an
    // fsync per commit to also survive power loss.
    private const string ConnectionPragmas = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";

    private readonly string connectionString;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly SemaphoreSlim initializeLock = new(1, 1);
    private volatile bool initialized;

    public EmbeddedDatabase(IOptions<StorageOptions> options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Value.DatabasePath)
    {
    }

    public EmbeddedDatabase(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    /// <summary>Creates the directory, switches the file to WAL and applies pending schema migrations. Idempotent.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (initialized)
        {
            return;
        }

        await initializeLock.WaitAsync(cancellationToken);
        try
        {
            if (initialized)
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
            await using var connection = await OpenCoreAsync(cancellationToken);
            await using (var wal = connection.CreateCommand())
            {
                // Persistent in the file: set once, every later connection (of any process) uses WAL.
                wal.CommandText = "PRAGMA journal_mode=WAL;";
                await wal.ExecuteNonQueryAsync(cancellationToken);
            }

            await writeLock.WaitAsync(cancellationToken);
            try
            {
                await EmbeddedSchema.MigrateAsync(connection, cancellationToken);
            }
            finally
            {
                writeLock.Release();
            }

            initialized = true;
        }
        finally
        {
            initializeLock.Release();
        }
    }

    /// <summary>An open connection for reads (initializing the database on first use). The caller disposes it.</summary>
    internal async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        return await OpenCoreAsync(cancellationToken);
    }

    /// <summary>Takes the process-wide write lock and begins an IMMEDIATE transaction (the file's write lock, up front).</summary>
    internal async Task<WriteTransaction> BeginWriteAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        await writeLock.WaitAsync(cancellationToken);
        SqliteConnection? connection = null;
        try
        {
            connection = await OpenCoreAsync(cancellationToken);
            var transaction = connection.BeginTransaction(deferred: false);
            return new WriteTransaction(connection, transaction, writeLock);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            writeLock.Release();
            throw;
        }
    }

    /// <summary>Closes the pooled connections of this file (checkpointing the WAL), e.g. before the file is moved or deleted.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private async Task<SqliteConnection> OpenCoreAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = ConnectionPragmas;
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

/// <summary>A write transaction holding the process-wide write lock until disposed; rolled back unless committed.</summary>
internal sealed class WriteTransaction : IAsyncDisposable
{
    private readonly SemaphoreSlim writeLock;
    private bool disposed;

    internal WriteTransaction(SqliteConnection connection, SqliteTransaction transaction, SemaphoreSlim writeLock)
    {
        Connection = connection;
        Transaction = transaction;
        this.writeLock = writeLock;
    }

    public SqliteConnection Connection { get; }

    public SqliteTransaction Transaction { get; }

    public SqliteCommand CreateCommand(string sql)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        return command;
    }

    public Task CommitAsync(CancellationToken cancellationToken) => Transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
        finally
        {
            writeLock.Release();
        }
    }
}
