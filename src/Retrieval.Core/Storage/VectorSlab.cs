using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using Retrieval.Core.Security;

namespace Retrieval.Core.Storage;

/// <summary>
/// The in-memory rows of an exact-scan vector index (the embedded SQLite one and the PostgreSQL one): one contiguous
/// float slab, the chunk ids, each row's ACL set, and a live-row bitmap. It follows a store through change counters
/// (<see cref="Head"/>): rows are read by increasing sequence number, deletions from a log, ACL sets by increasing id;
/// the store must make those counters commit in order. Not thread-safe: the owning index guards it with a
/// reader/writer lock.
/// </summary>
public sealed class VectorSlab
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

        /// <summary>Adds a row and returns the place to write its <paramref name="dimensions"/> floats into.</summary>
        public Span<float> AddRow(long seq, string chunkId, long aclSetId, int dimensions)
        {
            if (Dimensions == 0)
            {
                Dimensions = dimensions;
            }
            else if (dimensions != Dimensions)
            {
                throw new InvalidDataException(
                    $"The store mixes {Dimensions}- and {dimensions}-dimensional embeddings; re-index after changing the embedding model.");
            }

            if (used + dimensions > buffer.Length)
            {
                Array.Resize(ref buffer, Math.Max(used + dimensions, buffer.Length * 2));
            }

            NewRows.Add((seq, chunkId, aclSetId, used));
            var destination = buffer.AsSpan(used, dimensions);
            used += dimensions;
            return destination;
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
