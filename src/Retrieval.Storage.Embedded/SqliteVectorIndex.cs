using Microsoft.Data.Sqlite;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// Exact dense search over every embedding in the embedded store, held in memory as one contiguous float slab.
/// The slab follows the chunk table: before each search it compares the store's change counters (newest chunk
/// sequence number, newest deletion) with what it has applied, and reads only the difference, so writes by this
/// process or another one are visible to the next search after they commit.
/// Search first turns the ACL filter into the set of permitted ACL sets, marks the permitted rows in a bitmap,
/// and scores only those rows (dot product of L2-normalized vectors, i.e. cosine) into a top-k heap.
/// </summary>
public sealed class SqliteVectorIndex : IVectorIndex, IDisposable
{
    private readonly EmbeddedDatabase database;
    private readonly ReaderWriterLockSlim gate = new(LockRecursionPolicy.NoRecursion);
    private readonly SemaphoreSlim refreshGate = new(1, 1);
    private readonly VectorSlab slab = new();

    public SqliteVectorIndex(EmbeddedDatabase database)
    {
        this.database = database ?? throw new ArgumentNullException(nameof(database));
    }

    /// <summary>Rows currently searchable (for tests and statistics).</summary>
    internal int LiveRows
    {
        get
        {
            gate.EnterReadLock();
            try
            {
                return slab.LiveCount;
            }
            finally
            {
                gate.ExitReadLock();
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

        await CatchUpAsync(cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();

        gate.EnterReadLock();
        try
        {
            return slab.Search(filter, query.Span, topK);
        }
        finally
        {
            gate.ExitReadLock();
        }
    }

    public void Dispose()
    {
        gate.Dispose();
        refreshGate.Dispose();
    }

    /// <summary>Brings the slab up to the committed state of the database (cheap when nothing changed).</summary>
    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var head = await ReadHeadAsync(connection, null, cancellationToken);
        if (IsCurrent(head))
        {
            return;
        }

        await refreshGate.WaitAsync(cancellationToken);
        try
        {
            // One read transaction: the head and every row read below come from the same snapshot.
            await using var transaction = connection.BeginTransaction(deferred: true);
            head = await ReadHeadAsync(connection, transaction, cancellationToken);
            if (IsCurrent(head))
            {
                return;
            }

            VectorSlab.Changes changes;
            gate.EnterReadLock();
            try
            {
                changes = slab.StartChanges(head);
            }
            finally
            {
                gate.ExitReadLock();
            }

            await ReadChangesAsync(connection, transaction, changes, cancellationToken);

            gate.EnterWriteLock();
            try
            {
                slab.Apply(changes);
            }
            finally
            {
                gate.ExitWriteLock();
            }
        }
        finally
        {
            refreshGate.Release();
        }
    }

    private bool IsCurrent(VectorSlab.Head head)
    {
        gate.EnterReadLock();
        try
        {
            return slab.IsCurrent(head);
        }
        finally
        {
            gate.ExitReadLock();
        }
    }

    private static async Task<VectorSlab.Head> ReadHeadAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            """
            SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'chunks'), 0),
                   COALESCE((SELECT MAX(id) FROM chunk_deletions), 0),
                   COALESCE((SELECT MIN(id) FROM chunk_deletions), 0),
                   COALESCE((SELECT MAX(id) FROM acl_sets), 0);
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new VectorSlab.Head(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    private static async Task ReadChangesAsync(SqliteConnection connection, SqliteTransaction transaction, VectorSlab.Changes changes, CancellationToken cancellationToken)
    {
        await using (var sets = connection.CreateCommand())
        {
            sets.Transaction = transaction;
            sets.CommandText =
                "SELECT s.id, s.tenant, m.principal FROM acl_sets s JOIN acl_set_members m ON m.acl_set_id = s.id WHERE s.id > $after AND s.id <= $upTo;";
            sets.Parameters.AddWithValue("$after", changes.AclSetsAfter);
            sets.Parameters.AddWithValue("$upTo", changes.Target.MaxAclSetId);
            await using var reader = await sets.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                changes.AclSetMembers.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        if (!changes.Full)
        {
            await using var deletions = connection.CreateCommand();
            deletions.Transaction = transaction;
            deletions.CommandText = "SELECT chunk_seq FROM chunk_deletions WHERE id > $after AND id <= $upTo;";
            deletions.Parameters.AddWithValue("$after", changes.DeletionsAfter);
            deletions.Parameters.AddWithValue("$upTo", changes.Target.MaxDeletionId);
            await using var reader = await deletions.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                changes.DeletedSeqs.Add(reader.GetInt64(0));
            }
        }

        await using var rows = connection.CreateCommand();
        rows.Transaction = transaction;
        rows.CommandText =
            "SELECT seq, id, acl_set_id, embedding FROM chunks WHERE seq > $after AND seq <= $upTo AND embedding IS NOT NULL ORDER BY seq;";
        rows.Parameters.AddWithValue("$after", changes.RowsAfter);
        rows.Parameters.AddWithValue("$upTo", changes.Target.MaxChunkSeq);
        await using (var reader = await rows.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var bytes = reader.GetFieldValue<byte[]>(3);
                EmbeddingBlob.Read(bytes, changes.AddRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), bytes.Length / sizeof(float)));
            }
        }
    }
}
