using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// The subgraph read of local graph retrieval, from an in-memory copy of the mention table (<see cref="GraphSnapshot"/>)
/// instead of one SQL round trip per hop plus three more per query. Each call reads the store's change counters in its
/// own transaction (one short statement) and uses the copy only when they match — any write by this process or another
/// one moves them — so it never sees an older graph than the SQL read would. When they do not match, this call is
/// answered by the SQL read (<see cref="ReadSubgraphAsync"/>) in the same transaction, and one background reload
/// starts (single-flight: none while one runs, nor sooner after the last one than that one took, so continuous writes
/// cost at most half a core; a failed one is logged and a later read retries); later calls use the
/// copy again once a copy matching the current counters is installed. No request waits for a reload.
/// The copy is shared by all callers; their permitted ACL sets are applied to every mention and chunk during the
/// expansion, exactly where the SQL filtered them, so a caller never receives what another caller's rights reach.
/// </summary>
public sealed partial class SqliteGraphStore : IPreloadable, IDisposable
{
    private readonly IOptionsMonitor<GraphOptions>? options;
    private readonly ILogger logger;
    private readonly CancellationTokenSource lifetime = new();
    private readonly Lock reloadGate = new();
    private GraphSnapshot? snapshot;
    private Task? reload;
    private GraphHead? tooLargeAt;
    private int snapshotLoads;
    private int sqlReads;
    private readonly TimeProvider time;
    private int reloadsStarted;
    private int disposed;
    private long lastReloadEndedAt;
    private long lastReloadTicks;

    /// <summary>Copies installed (by a background reload or <see cref="GetSnapshotAsync"/>): for tests of invalidation.</summary>
    internal int SnapshotLoads => Volatile.Read(ref snapshotLoads);

    /// <summary>Subgraph reads answered by SQL (stale copy, none yet, too large or switched off): for tests.</summary>
    internal int SqlReads => Volatile.Read(ref sqlReads);

    /// <summary>Background reloads started: for tests of single-flight.</summary>
    internal int ReloadsStarted => Volatile.Read(ref reloadsStarted);

    /// <summary>Test seam: runs after a background reload has read its copy and before it is installed.</summary>
    internal Func<CancellationToken, Task>? BeforeSnapshotInstall { get; set; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return; // the container may dispose it once as itself and once as IGraphStore
        }

        lifetime.Cancel();
        Task? pending;
        lock (reloadGate)
        {
            pending = reload;
        }

        // The reload stops at its next read once cancelled; waiting keeps it from touching a database disposed after us.
        // It never throws (failures and cancellation are caught inside).
        pending?.Wait(TimeSpan.FromSeconds(10));
        lifetime.Dispose();
    }

    public async Task<EntityChunkGraph> GetSubgraphAsync(
        AclFilter filter, IReadOnlyCollection<string> seedIds, IReadOnlyCollection<string> seedChunkIds, GraphExpansion expansion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(seedIds);
        ArgumentNullException.ThrowIfNull(seedChunkIds);
        ArgumentNullException.ThrowIfNull(expansion);
        var settings = options?.CurrentValue;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: true);
        string reason;
        if (settings?.InMemorySubgraph ?? true)
        {
            var head = await GraphSnapshot.ReadHeadAsync(connection, transaction, cancellationToken);
            var current = Volatile.Read(ref snapshot);
            if (current is not null && current.Head == head)
            {
                GraphTelemetry.SubgraphReads.Add(1, new KeyValuePair<string, object?>("source", "copy"));
                return Expand(current, filter, seedIds, seedChunkIds, expansion);
            }

            reason = StartReload(head, settings?.InMemorySubgraphMaxMentions ?? new GraphOptions().InMemorySubgraphMaxMentions);
        }
        else
        {
            Volatile.Write(ref snapshot, null); // switched off at run time: free the copy
            reason = "disabled";
        }

        Interlocked.Increment(ref sqlReads);
        GraphTelemetry.SubgraphReads.Add(1, new KeyValuePair<string, object?>("source", "sql"), new KeyValuePair<string, object?>("reason", reason));
        return await ReadSubgraphAsync(connection, transaction, filter, seedIds, seedChunkIds, expansion, cancellationToken);
    }

    /// <summary>
    /// Loads the in-memory copy now, as the first subgraph read would (same background reload, same size limit and
    /// pacing), and waits for it; nothing when the copy is switched off or already current.
    /// </summary>
    public async Task PreloadAsync(CancellationToken cancellationToken)
    {
        var settings = options?.CurrentValue;
        if (!(settings?.InMemorySubgraph ?? true))
        {
            return;
        }

        await using (var connection = await database.OpenAsync(cancellationToken))
        await using (var transaction = connection.BeginTransaction(deferred: true))
        {
            var head = await GraphSnapshot.ReadHeadAsync(connection, transaction, cancellationToken);
            var current = Volatile.Read(ref snapshot);
            if (current is not null && current.Head == head)
            {
                return;
            }

            _ = StartReload(head, settings?.InMemorySubgraphMaxMentions ?? new GraphOptions().InMemorySubgraphMaxMentions);
        }

        await WaitForReloadAsync().WaitAsync(cancellationToken);
    }

    /// <summary>Waits for the background reload in flight, if any (tests and benchmarks).</summary>
    internal Task WaitForReloadAsync()
    {
        lock (reloadGate)
        {
            return reload ?? Task.CompletedTask;
        }
    }

    /// <summary>Loads and installs the copy matching the store's counters now, in the caller's flow (tests and benchmarks).</summary>
    internal async Task<GraphSnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: true);
        var head = await GraphSnapshot.ReadHeadAsync(connection, transaction, cancellationToken);
        var current = Volatile.Read(ref snapshot);
        if (current is not null && current.Head == head)
        {
            return current;
        }

        var loaded = await GraphSnapshot.LoadAsync(connection, transaction, head, cancellationToken);
        Install(loaded);
        return loaded;
    }

    /// <summary>
    /// Starts one background reload unless one is running or the store was found too large at these counters; returns
    /// why the copy could not serve (<c>too_large</c> or <c>stale</c>, the metric's reason).
    /// </summary>
    private string StartReload(GraphHead seen, int maxMentions)
    {
        lock (reloadGate)
        {
            if (tooLargeAt == seen)
            {
                return "too_large";
            }

            // Under continuous writes every reload ends stale; pacing keeps them to at most half of one core: the next one
            // starts no sooner after the last one ended than that one took (reads meanwhile are answered in SQL).
            var rested = time.GetTimestamp() - lastReloadEndedAt >= lastReloadTicks;
            if (reload is null && rested && !lifetime.IsCancellationRequested)
            {
                reloadsStarted++;
                reload = Task.Run(() => ReloadAsync(maxMentions));
            }

            return "stale";
        }
    }

    /// <summary>
    /// Reads the counters and the whole copy in one transaction of its own (so the copy is exactly the state those
    /// counters describe) and installs it unless the store was written meanwhile: such a copy could never be used (its
    /// counters no longer match) and would only hold memory. Correctness does not rest on that check — every read compares
    /// the copy's counters with the store's — it only keeps "installed" meaning "current when installed".
    /// </summary>
    private async Task ReloadAsync(int maxMentions)
    {
        var token = lifetime.Token;
        var started = Stopwatch.GetTimestamp();
        var startedAt = time.GetTimestamp();
        var outcome = "failed";
        try
        {
            GraphHead head;
            GraphSnapshot loaded;
            await using (var connection = await database.OpenAsync(token))
            await using (var transaction = connection.BeginTransaction(deferred: true))
            {
                head = await GraphSnapshot.ReadHeadAsync(connection, transaction, token);
                var mentions = await GraphSnapshot.CountMentionsAsync(connection, transaction, token);
                if (mentions > maxMentions)
                {
                    lock (reloadGate)
                    {
                        tooLargeAt = head;
                    }

                    Volatile.Write(ref snapshot, null);
                    outcome = "too_large";
                    GraphSnapshotLog.TooLarge(logger, mentions, maxMentions);
                    return;
                }

                loaded = await GraphSnapshot.LoadAsync(connection, transaction, head, token);
            }

            if (BeforeSnapshotInstall is { } hook)
            {
                await hook(token);
            }

            await using (var connection = await database.OpenAsync(token))
            await using (var transaction = connection.BeginTransaction(deferred: true))
            {
                if (await GraphSnapshot.ReadHeadAsync(connection, transaction, token) != head)
                {
                    Volatile.Write(ref snapshot, null);
                    outcome = "superseded";
                    GraphSnapshotLog.Superseded(logger, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    return;
                }
            }

            Install(loaded);
            outcome = "installed";
            GraphSnapshotLog.Installed(logger, loaded.Mentions.Length, loaded.ChunkCount, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (!token.IsCancellationRequested)
        {
            // Anything (SQLite errors, out of memory on a huge store): the reads go on in SQL and a later one retries.
            GraphSnapshotLog.Failed(logger, ex);
        }
        catch (Exception) when (token.IsCancellationRequested)
        {
            outcome = "cancelled"; // the store is being disposed
        }
        finally
        {
            GraphTelemetry.SnapshotReloads.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
            GraphTelemetry.SnapshotReloadDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var endedAt = time.GetTimestamp();
            lock (reloadGate)
            {
                reload = null;
                lastReloadEndedAt = endedAt;
                lastReloadTicks = endedAt - startedAt;
            }
        }
    }

    private void Install(GraphSnapshot loaded)
    {
        Volatile.Write(ref snapshot, loaded);
        Interlocked.Increment(ref snapshotLoads);
    }

    /// <summary>
    /// Breadth-first expansion from the seeds, hop by hop: an entity contributes its readable mentions with the highest
    /// counts (ties: lower chunk sequence) up to <see cref="GraphExpansion.MaxChunksPerEntity"/>; a new chunk contributes
    /// all its readable mentions, whose entities form the next frontier. Frontiers are visited in row-id order and chunks
    /// in sequence order, as the SQL returned them, so the subgraph — its node numbering included — is the same.
    /// </summary>
    internal static EntityChunkGraph Expand(
        GraphSnapshot graph, AclFilter filter, IReadOnlyCollection<string> seedIds, IReadOnlyCollection<string> seedChunkIds, GraphExpansion expansion)
    {
        var permitted = graph.PermittedSets(filter);
        var mentions = graph.Mentions;

        var frontierEntities = new List<int>();
        foreach (var id in seedIds.Distinct(StringComparer.Ordinal))
        {
            if (graph.TryGetEntity(id, out var entity) && string.Equals(graph.EntityTenants[entity], filter.Tenant, StringComparison.Ordinal))
            {
                frontierEntities.Add(entity);
            }
        }

        var frontierChunks = new List<int>();
        foreach (var id in seedChunkIds.Distinct(StringComparer.Ordinal))
        {
            if (graph.TryGetChunk(id, out var chunk)
                && string.Equals(graph.ChunkTenants[chunk], filter.Tenant, StringComparison.Ordinal)
                && permitted.Contains(graph.ChunkAclSets[chunk]))
            {
                frontierChunks.Add(chunk);
            }
        }

        var expanded = new HashSet<int>(frontierEntities);
        var loadedChunks = new HashSet<int>();
        var rows = new List<int>();
        for (var hop = 0; hop < expansion.Hops && loadedChunks.Count < expansion.MaxChunks; hop++)
        {
            var newChunks = new List<int>();
            foreach (var chunk in frontierChunks)
            {
                if (loadedChunks.Add(chunk))
                {
                    newChunks.Add(chunk);
                }
            }

            frontierEntities.Sort();
            var full = false;
            foreach (var entity in frontierEntities)
            {
                var taken = 0;
                for (var i = graph.EntityStarts[entity]; i < graph.EntityStarts[entity + 1] && taken < expansion.MaxChunksPerEntity; i++)
                {
                    ref readonly var mention = ref mentions[graph.EntityMentions[i]];
                    if (!permitted.Contains(mention.AclSet))
                    {
                        continue;
                    }

                    taken++;
                    if (loadedChunks.Count >= expansion.MaxChunks)
                    {
                        full = true;
                        break;
                    }

                    if (loadedChunks.Add(mention.Chunk))
                    {
                        newChunks.Add(mention.Chunk);
                    }
                }

                if (full)
                {
                    break;
                }
            }

            frontierChunks = [];
            frontierEntities = [];
            if (newChunks.Count == 0)
            {
                break;
            }

            newChunks.Sort();
            foreach (var chunk in newChunks)
            {
                for (var m = graph.ChunkStarts[chunk]; m < graph.ChunkStarts[chunk + 1]; m++)
                {
                    if (!permitted.Contains(mentions[m].AclSet))
                    {
                        continue;
                    }

                    rows.Add(m);
                    if (expanded.Add(mentions[m].Entity))
                    {
                        frontierEntities.Add(mentions[m].Entity);
                    }
                }
            }
        }

        if (rows.Count == 0)
        {
            return EntityChunkGraph.Empty;
        }

        // Node numbering: chunks and entities in order of first appearance among the rows.
        var chunkIndex = new Dictionary<int, int>();
        var chunkIds = new List<string>();
        var entityIndex = new Dictionary<int, int>();
        var entityOrder = new List<int>();
        var entityRows = new List<List<(string Name, string? Type, int Count)>>();
        var edges = new List<MentionEdge>(rows.Count);
        foreach (var m in rows)
        {
            ref readonly var mention = ref mentions[m];
            if (!chunkIndex.TryGetValue(mention.Chunk, out var c))
            {
                c = chunkIds.Count;
                chunkIndex.Add(mention.Chunk, c);
                chunkIds.Add(graph.ChunkIds[mention.Chunk]);
            }

            if (!entityIndex.TryGetValue(mention.Entity, out var e))
            {
                e = entityOrder.Count;
                entityIndex.Add(mention.Entity, e);
                entityOrder.Add(mention.Entity);
                entityRows.Add([]);
            }

            entityRows[e].Add((mention.Name, mention.Type, mention.Count));
            edges.Add(new MentionEdge(e, c, mention.Count));
        }

        // Readable chunks mentioning each entity, over the whole store (not only the subgraph): its specificity.
        var entities = new List<GraphEntity>(entityOrder.Count);
        for (var e = 0; e < entityOrder.Count; e++)
        {
            var entity = entityOrder[e];
            var readable = 0;
            for (var i = graph.EntityStarts[entity]; i < graph.EntityStarts[entity + 1]; i++)
            {
                if (permitted.Contains(mentions[graph.EntityMentions[i]].AclSet))
                {
                    readable++;
                }
            }

            entities.Add(Summarize(graph.EntityPublicIds[entity], entityRows[e], readable));
        }

        return new EntityChunkGraph(entities, chunkIds, edges);
    }
}
