using Npgsql;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Postgres;

/// <summary>
/// Exact dense search over every embedding stored in PostgreSQL, held in memory as one <see cref="VectorSlab"/> (the
/// same slab, ACL-set bitmap pre-filter and SIMD scan as the embedded index). Before each search it reads the store's
/// change counters (newest chunk sequence number, newest deletion, newest ACL set) and, when they moved, reads only the
/// difference in one repeatable-read snapshot; so a document written by any worker process is searchable by the next
/// query after its upsert commits. Each API replica keeps its own slab (memory ≈ 4 bytes × dimensions × chunks).
/// </summary>
public sealed class PostgresVectorIndex : SnapshotVectorIndex<NpgsqlConnection, NpgsqlTransaction>
{
    private const string HeadSql =
        """
        SELECT COALESCE((SELECT MAX(seq) FROM chunks), 0),
               COALESCE((SELECT MAX(id) FROM chunk_deletions), 0),
               COALESCE((SELECT MIN(id) FROM chunk_deletions), 0),
               COALESCE((SELECT MAX(id) FROM acl_sets), 0);
        """;

    private readonly PostgresDatabase database;

    public PostgresVectorIndex(PostgresDatabase database)
    {
        this.database = database ?? throw new ArgumentNullException(nameof(database));
    }

    protected override async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        await database.OpenAsync(cancellationToken);

    protected override async Task<NpgsqlTransaction> BeginSnapshotAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);

    protected override async Task<VectorSlab.Head> ReadHeadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(HeadSql, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new VectorSlab.Head(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
    }

    protected override async Task ReadChangesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, VectorSlab.Changes changes, CancellationToken cancellationToken)
    {
        await using (var sets = new NpgsqlCommand(
            "SELECT s.id, s.tenant, m.principal FROM acl_sets s JOIN acl_set_members m ON m.acl_set_id = s.id WHERE s.id > @after AND s.id <= @upTo;",
            connection,
            transaction))
        {
            sets.Parameters.AddWithValue("after", changes.AclSetsAfter);
            sets.Parameters.AddWithValue("upTo", changes.Target.MaxAclSetId);
            await using var reader = await sets.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                changes.AclSetMembers.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        if (!changes.Full)
        {
            await using var deletions = new NpgsqlCommand(
                "SELECT chunk_seq FROM chunk_deletions WHERE id > @after AND id <= @upTo;", connection, transaction);
            deletions.Parameters.AddWithValue("after", changes.DeletionsAfter);
            deletions.Parameters.AddWithValue("upTo", changes.Target.MaxDeletionId);
            await using var reader = await deletions.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                changes.DeletedSeqs.Add(reader.GetInt64(0));
            }
        }

        await using var rows = new NpgsqlCommand(
            "SELECT seq, id, acl_set_id, embedding FROM chunks WHERE seq > @after AND seq <= @upTo AND embedding IS NOT NULL ORDER BY seq;",
            connection,
            transaction);
        rows.Parameters.AddWithValue("after", changes.RowsAfter);
        rows.Parameters.AddWithValue("upTo", changes.Target.MaxChunkSeq);
        await using var rowReader = await rows.ExecuteReaderAsync(cancellationToken);
        while (await rowReader.ReadAsync(cancellationToken))
        {
            var embedding = rowReader.GetFieldValue<float[]>(3);
            embedding.CopyTo(changes.AddRow(rowReader.GetInt64(0), rowReader.GetString(1), rowReader.GetInt64(2), embedding.Length));
        }
    }
}
