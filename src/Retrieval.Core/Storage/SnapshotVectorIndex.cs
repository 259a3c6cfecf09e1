using System.Data.Common;
using Retrieval.Core.Security;

namespace Retrieval.Core.Storage;

/// <summary>
/// An exact vector index held in memory as one <see cref="VectorSlab"/> that follows a database: before each search
/// it reads the store's change counters and, when they moved, reads only the difference inside one consistent
/// snapshot. Searches run under a read lock, one refresh runs at a time, and changes are applied under a write lock.
/// Each store supplies only its connection, snapshot transaction and the two queries.
/// </summary>
public abstract class SnapshotVectorIndex<TConnection, TTransaction> : IVectorIndex, IPreloadable, IDisposable
    where TConnection : DbConnection
    where TTransaction : DbTransaction
{
    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private readonly SemaphoreSlim _refreshGate = new(1, 1);
    private readonly VectorSlab _slab = new();

    /// <summary>Rows currently searchable (for tests and statistics).</summary>
    protected int LiveRows
    {
        get
        {
            _gate.EnterReadLock();
            try
            {
                return _slab.LiveCount;
            }
            finally
            {
                _gate.ExitReadLock();
            }
        }
    }

    public async Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, ReadOnlyMemory<float> query, int topK, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (topK <= 0)
        {
            return [];
        }

        await CatchUpAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        _gate.EnterReadLock();
        try
        {
            return _slab.Search(filter, query.Span, topK);
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }

    /// <summary>Reads the store's vectors into memory now (the catch-up every search starts with).</summary>
    public Task PreloadAsync(CancellationToken cancellationToken) => CatchUpAsync(cancellationToken);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gate.Dispose();
            _refreshGate.Dispose();
        }
    }

    protected abstract Task<TConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A read transaction in which the head and the changes read afterwards are consistent with each other.</summary>
    protected abstract Task<TTransaction> BeginSnapshotAsync(TConnection connection, CancellationToken cancellationToken);

    /// <summary>The store's change counters; <paramref name="transaction"/> is null for the cheap check before a refresh.</summary>
    protected abstract Task<VectorSlab.Head> ReadHeadAsync(TConnection connection, TTransaction? transaction, CancellationToken cancellationToken);

    /// <summary>Reads the rows added and removed since the slab's head into <paramref name="changes"/>.</summary>
    protected abstract Task ReadChangesAsync(TConnection connection, TTransaction transaction, VectorSlab.Changes changes, CancellationToken cancellationToken);

    /// <summary>Brings the slab up to the committed state of the database (one small query when nothing changed).</summary>
    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (IsCurrent(await ReadHeadAsync(connection, null, cancellationToken).ConfigureAwait(false)))
            {
                return;
            }

            await _refreshGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var transaction = await BeginSnapshotAsync(connection, cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    var head = await ReadHeadAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                    if (IsCurrent(head))
                    {
                        return;
                    }

                    VectorSlab.Changes changes;
                    _gate.EnterReadLock();
                    try
                    {
                        changes = _slab.StartChanges(head);
                    }
                    finally
                    {
                        _gate.ExitReadLock();
                    }

                    await ReadChangesAsync(connection, transaction, changes, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

                    _gate.EnterWriteLock();
                    try
                    {
                        _slab.Apply(changes);
                    }
                    finally
                    {
                        _gate.ExitWriteLock();
                    }
                }
            }
            finally
            {
                _refreshGate.Release();
            }
        }
    }

    private bool IsCurrent(VectorSlab.Head head)
    {
        _gate.EnterReadLock();
        try
        {
            return _slab.IsCurrent(head);
        }
        finally
        {
            _gate.ExitReadLock();
        }
    }
}
