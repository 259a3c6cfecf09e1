using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
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
                changes.AddRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), bytes);
            }
        }
    }
}

/// <summary>The in-memory rows of <see cref="SqliteVectorIndex"/>. Not thread-safe: the index guards it with a reader/writer lock.</summary>
internal sealed class VectorSlab
{
    private const int InitialCapacity = 1024;

    private float[] vectors = [];
    private string[] chunkIds = [];
    private int[] rowSets = [];
    private ulong[] live = [];
    private int capacity;
    private int count;
    private int dimensions;
    private Dictionary<long, int> rowBySeq = [];

    // ACL sets: database id → dense index, and (tenant, principal) → dense indexes of the sets that name it.
    private readonly Dictionary<long, int> denseSet = [];
    private readonly Dictionary<(string Tenant, string Principal), List<int>> setsByPrincipal = [];
    private Head applied;
    private bool loaded;

    public int LiveCount { get; private set; }

    public bool IsCurrent(Head head) =>
        loaded && head.MaxChunkSeq <= applied.MaxChunkSeq && head.MaxDeletionId <= applied.MaxDeletionId && head.MaxAclSetId <= applied.MaxAclSetId;

    public Changes StartChanges(Head target)
    {
        // A full reload when nothing is loaded yet, or when deletions this slab has not seen were pruned from the log.
        var full = !loaded || (target.MinDeletionId > applied.MaxDeletionId + 1 && target.MaxDeletionId > applied.MaxDeletionId);
        return new Changes(
            target,
            full,
            aclSetsAfter: applied.MaxAclSetId,
            deletionsAfter: full ? 0 : applied.MaxDeletionId,
            rowsAfter: full ? 0 : applied.MaxChunkSeq);
    }

    public void Apply(Changes changes)
    {
        foreach (var (id, tenant, principal) in changes.AclSetMembers)
        {
            if (!denseSet.TryGetValue(id, out var dense))
            {
                dense = denseSet.Count;
                denseSet.Add(id, dense);
            }

            var key = (tenant, principal);
            if (!setsByPrincipal.TryGetValue(key, out var list))
            {
                list = [];
                setsByPrincipal.Add(key, list);
            }

            list.Add(dense);
        }

        if (changes.Full)
        {
            count = 0;
            LiveCount = 0;
            rowBySeq = [];
            Array.Clear(live);
        }

        foreach (var seq in changes.DeletedSeqs)
        {
            if (rowBySeq.Remove(seq, out var row))
            {
                live[row >> 6] &= ~(1UL << row);
                chunkIds[row] = string.Empty;
                LiveCount--;
            }
        }

        if (changes.Dimensions != 0)
        {
            if (LiveCount == 0 && changes.Dimensions != dimensions)
            {
                // Empty (or emptied) index: adopt the new dimensionality with fresh buffers.
                dimensions = changes.Dimensions;
                vectors = [];
                chunkIds = [];
                rowSets = [];
                live = [];
                capacity = 0;
                count = 0;
                rowBySeq.Clear();
            }
            else if (changes.Dimensions != dimensions)
            {
                throw new InvalidDataException(
                    $"The store mixes {dimensions}- and {changes.Dimensions}-dimensional embeddings; re-index after changing the embedding model.");
            }
        }

        CompactIfSparse(changes.NewRows.Count);
        EnsureCapacity(count + changes.NewRows.Count);
        foreach (var (seq, chunkId, aclSetId, offset) in changes.NewRows)
        {
            var row = count++;
            changes.Vectors.AsSpan(offset, dimensions).CopyTo(vectors.AsSpan(row * dimensions, dimensions));
            chunkIds[row] = chunkId;
            rowSets[row] = denseSet[aclSetId];
            live[row >> 6] |= 1UL << row;
            rowBySeq[seq] = row;
            LiveCount++;
        }

        applied = changes.Target;
        loaded = true;
    }

    public IReadOnlyList<ScoredChunk> Search(AclFilter filter, ReadOnlySpan<float> query, int topK)
    {
        if (LiveCount == 0)
        {
            return [];
        }

        if (query.Length != dimensions)
        {
            throw new ArgumentException(
                $"The query embedding has {query.Length} dimensions but the index holds {dimensions}-dimensional vectors; " +
                "was the embedding model changed without re-indexing?",
                nameof(query));
        }

        // 1. Which ACL sets may this caller read (tenant and principals)?
        var permittedSets = ArrayPool<bool>.Shared.Rent(denseSet.Count);
        var words = (count + 63) >> 6;
        var permittedRows = ArrayPool<ulong>.Shared.Rent(words);
        try
        {
            Array.Clear(permittedSets, 0, denseSet.Count);
            var any = false;
            foreach (var principal in filter.Principals)
            {
                if (setsByPrincipal.TryGetValue((filter.Tenant, principal), out var sets))
                {
                    foreach (var set in sets)
                    {
                        permittedSets[set] = true;
                        any = true;
                    }
                }
            }

            if (!any)
            {
                return [];
            }

            // 2. Bitmap of the live rows in a permitted set.
            for (var word = 0; word < words; word++)
            {
                var bits = live[word];
                var permitted = 0UL;
                while (bits != 0)
                {
                    var bit = BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    if (permittedSets[rowSets[(word << 6) + bit]])
                    {
                        permitted |= 1UL << bit;
                    }
                }

                permittedRows[word] = permitted;
            }

            // 3. Score only the permitted rows, keeping the best k in a min-heap (worst of the best at the top).
            var heap = new PriorityQueue<int, (float Score, int Row)>(topK + 1, new WorstFirst(chunkIds));
            for (var word = 0; word < words; word++)
            {
                var bits = permittedRows[word];
                while (bits != 0)
                {
                    var row = (word << 6) + BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    var score = TensorPrimitives.Dot(vectors.AsSpan(row * dimensions, dimensions), query);
                    if (heap.Count < topK)
                    {
                        heap.Enqueue(row, (score, row));
                    }
                    else if (heap.TryPeek(out _, out var worst) && IsBetter(score, row, worst))
                    {
                        heap.DequeueEnqueue(row, (score, row));
                    }
                }
            }

            var results = new ScoredChunk[heap.Count];
            for (var i = results.Length - 1; i >= 0; i--)
            {
                heap.TryDequeue(out var row, out var entry);
                results[i] = new ScoredChunk(chunkIds[row], entry.Score);
            }

            return results;
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(permittedSets);
            ArrayPool<ulong>.Shared.Return(permittedRows);
        }
    }

    private bool IsBetter(float score, int row, (float Score, int Row) other) =>
        score > other.Score || (score == other.Score && string.CompareOrdinal(chunkIds[row], chunkIds[other.Row]) < 0);

    /// <summary>Drops deleted rows when they are a quarter of the slab, so the scan does not walk dead space forever.</summary>
    private void CompactIfSparse(int incoming)
    {
        var dead = count - LiveCount;
        if (dead < 1024 || dead * 4 < count + incoming)
        {
            return;
        }

        var target = 0;
        var seqByRow = new long[count];
        foreach (var (seq, row) in rowBySeq)
        {
            seqByRow[row] = seq;
        }

        var compacted = new Dictionary<long, int>(LiveCount);
        for (var row = 0; row < count; row++)
        {
            if ((live[row >> 6] & (1UL << row)) == 0)
            {
                continue;
            }

            if (target != row)
            {
                vectors.AsSpan(row * dimensions, dimensions).CopyTo(vectors.AsSpan(target * dimensions, dimensions));
                chunkIds[target] = chunkIds[row];
                rowSets[target] = rowSets[row];
            }

            compacted[seqByRow[row]] = target;
            target++;
        }

        Array.Clear(live);
        for (var row = 0; row < target; row++)
        {
            live[row >> 6] |= 1UL << row;
        }

        Array.Clear(chunkIds, target, count - target);
        count = target;
        rowBySeq = compacted;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= capacity)
        {
            return;
        }

        var newCapacity = Math.Max(InitialCapacity, capacity);
        while (newCapacity < needed)
        {
            newCapacity *= 2;
        }

        Array.Resize(ref vectors, newCapacity * dimensions);
        Array.Resize(ref chunkIds, newCapacity);
        Array.Resize(ref rowSets, newCapacity);
        Array.Resize(ref live, (newCapacity + 63) >> 6);
        capacity = newCapacity;
    }

    /// <summary>The store's change counters at one snapshot.</summary>
    public readonly record struct Head(long MaxChunkSeq, long MaxDeletionId, long MinDeletionId, long MaxAclSetId);

    /// <summary>What a refresh read from the database, applied under the write lock.</summary>
    public sealed class Changes(Head target, bool full, long aclSetsAfter, long deletionsAfter, long rowsAfter)
    {
        private float[] buffer = [];
        private int used;

        public Head Target { get; } = target;

        public bool Full { get; } = full;

        public long AclSetsAfter { get; } = aclSetsAfter;

        public long DeletionsAfter { get; } = deletionsAfter;

        public long RowsAfter { get; } = rowsAfter;

        public List<(long Id, string Tenant, string Principal)> AclSetMembers { get; } = [];

        public List<long> DeletedSeqs { get; } = [];

        public List<(long Seq, string ChunkId, long AclSetId, int Offset)> NewRows { get; } = [];

        public int Dimensions { get; private set; }

        public float[] Vectors => buffer;

        public void AddRow(long seq, string chunkId, long aclSetId, byte[] embedding)
        {
            var dims = embedding.Length / sizeof(float);
            if (Dimensions == 0)
            {
                Dimensions = dims;
            }
            else if (dims != Dimensions)
            {
                throw new InvalidDataException(
                    $"The store mixes {Dimensions}- and {dims}-dimensional embeddings; re-index after changing the embedding model.");
            }

            if (used + dims > buffer.Length)
            {
                Array.Resize(ref buffer, Math.Max(used + dims, buffer.Length * 2));
            }

            EmbeddingBlob.Read(embedding, buffer.AsSpan(used, dims));
            NewRows.Add((seq, chunkId, aclSetId, used));
            used += dims;
        }
    }

    private sealed class WorstFirst(string[] chunkIds) : IComparer<(float Score, int Row)>
    {
        // Lower score first; on equal scores the larger chunk id is "worse", so results are deterministic.
        public int Compare((float Score, int Row) x, (float Score, int Row) y)
        {
            var byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : string.CompareOrdinal(chunkIds[y.Row], chunkIds[x.Row]);
        }
    }
}
