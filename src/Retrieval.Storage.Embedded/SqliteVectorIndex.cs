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
public sealed class SqliteVectorIndex : SnapshotVectorIndex<SqliteConnection, SqliteTransaction>
{
    private readonly EmbeddedDatabase database;

    public SqliteVectorIndex(EmbeddedDatabase database)
    {
        this.database = database ?? throw new ArgumentNullException(nameof(database));
    }

    /// <summary>Rows currently searchable (for tests and statistics).</summary>
    internal new int LiveRows => base.LiveRows;

    protected override async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) =>
        await database.OpenAsync(cancellationToken);

    /// <summary>A deferred transaction: the snapshot starts at its first read, and it never takes the write lock.</summary>
    protected override Task<SqliteTransaction> BeginSnapshotAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult(connection.BeginTransaction(deferred: true));

    protected override async Task<VectorSlab.Head> ReadHeadAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
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

    protected override async Task ReadChangesAsync(SqliteConnection connection, SqliteTransaction transaction, VectorSlab.Changes changes, CancellationToken cancellationToken)
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
