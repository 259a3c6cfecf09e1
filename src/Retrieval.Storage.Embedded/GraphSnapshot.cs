using Microsoft.Data.Sqlite;
using Retrieval.Core.Security;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// An immutable in-memory copy of the store's entity–chunk mentions (every tenant, every ACL set), with the chunks and
/// ACL sets they hang off, read in one snapshot and tagged with the store's change counters at that moment
/// (<see cref="Head"/>). It holds no permission decision: every read takes the caller's permitted ACL sets
/// (<see cref="PermittedSets"/>, tenant and principals checked as <see cref="AclSets.PermittedSetsSql"/> does) and skips
/// each mention and chunk outside them, so one copy serves callers with any rights without ever mixing them.
/// Arrays in compressed-row form: a chunk's mentions ordered by entity id, an entity's by count descending then chunk
/// sequence (the order of the SQL expansion it replaces, so subgraphs come out identical, node numbering included).
/// </summary>
internal sealed class GraphSnapshot
{
    private readonly Dictionary<long, string> aclSets;
    private readonly Dictionary<string, List<long>> setsByPrincipal;
    private readonly Dictionary<long, int> chunkBySeq;
    private readonly Dictionary<string, int> chunkById;
    private readonly Dictionary<long, int> entityByRowId;
    private readonly Dictionary<string, int> entityByPublicId;

    private GraphSnapshot(
        GraphHead head,
        Dictionary<long, string> aclSets,
        Dictionary<string, List<long>> setsByPrincipal,
        long[] chunkSeqs, string[] chunkIds, string[] chunkTenants, long[] chunkAclSets,
        long[] entityRowIds, string[] entityPublicIds, string[] entityTenants,
        Mention[] mentions, int[] chunkStarts, int[] entityStarts, int[] entityMentions)
    {
        Head = head;
        this.aclSets = aclSets;
        this.setsByPrincipal = setsByPrincipal;
        ChunkSeqs = chunkSeqs;
        ChunkIds = chunkIds;
        ChunkTenants = chunkTenants;
        ChunkAclSets = chunkAclSets;
        EntityRowIds = entityRowIds;
        EntityPublicIds = entityPublicIds;
        EntityTenants = entityTenants;
        Mentions = mentions;
        ChunkStarts = chunkStarts;
        EntityStarts = entityStarts;
        EntityMentions = entityMentions;
        chunkBySeq = new Dictionary<long, int>(chunkSeqs.Length);
        chunkById = new Dictionary<string, int>(chunkSeqs.Length, StringComparer.Ordinal);
        for (var i = 0; i < chunkSeqs.Length; i++)
        {
            chunkBySeq[chunkSeqs[i]] = i;
            chunkById[chunkIds[i]] = i;
        }

        entityByRowId = new Dictionary<long, int>(entityRowIds.Length);
        entityByPublicId = new Dictionary<string, int>(entityRowIds.Length, StringComparer.Ordinal);
        for (var i = 0; i < entityRowIds.Length; i++)
        {
            entityByRowId[entityRowIds[i]] = i;
            entityByPublicId[entityPublicIds[i]] = i;
        }
    }

    /// <summary>The change counters the copy was read at; a store whose counters differ has been written since.</summary>
    public GraphHead Head { get; }

    /// <summary>Chunks by index, in sequence order.</summary>
    public long[] ChunkSeqs { get; }

    public string[] ChunkIds { get; }

    public string[] ChunkTenants { get; }

    public long[] ChunkAclSets { get; }

    /// <summary>Entities by index, in row-id order.</summary>
    public long[] EntityRowIds { get; }

    public string[] EntityPublicIds { get; }

    public string[] EntityTenants { get; }

    /// <summary>Every mention, ordered by chunk sequence then entity row id.</summary>
    public Mention[] Mentions { get; }

    /// <summary>Mentions of chunk c: <c>Mentions[ChunkStarts[c] .. ChunkStarts[c + 1]]</c>.</summary>
    public int[] ChunkStarts { get; }

    /// <summary>Mentions of entity e: <c>Mentions[EntityMentions[EntityStarts[e] .. EntityStarts[e + 1]]]</c>, by count descending then chunk sequence.</summary>
    public int[] EntityStarts { get; }

    public int[] EntityMentions { get; }

    public int ChunkCount => ChunkSeqs.Length;

    public int EntityCount => EntityRowIds.Length;

    public bool TryGetChunk(string chunkId, out int chunk) => chunkById.TryGetValue(chunkId, out chunk);

    public bool TryGetEntity(string publicId, out int entity) => entityByPublicId.TryGetValue(publicId, out entity);

    public bool TryGetEntityByRowId(long rowId, out int entity) => entityByRowId.TryGetValue(rowId, out entity);

    public bool TryGetChunkBySeq(long seq, out int chunk) => chunkBySeq.TryGetValue(seq, out chunk);

    /// <summary>The ACL sets of the filter's tenant that list one of its principals (the sets it may read).</summary>
    public HashSet<long> PermittedSets(AclFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var permitted = new HashSet<long>();
        foreach (var principal in filter.Principals)
        {
            if (!setsByPrincipal.TryGetValue(principal, out var sets))
            {
                continue;
            }

            foreach (var id in sets)
            {
                if (string.Equals(aclSets[id], filter.Tenant, StringComparison.Ordinal))
                {
                    permitted.Add(id);
                }
            }
        }

        return permitted;
    }

    /// <summary>The store's change counters, read inside the caller's transaction (one short statement).</summary>
    public static async Task<GraphHead> ReadHeadAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            """
            SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'chunks'), 0),
                   COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'chunk_deletions'), 0),
                   COALESCE((SELECT MAX(id) FROM acl_sets), 0);
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new GraphHead(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>Mentions in the store (the size of a copy), inside the caller's transaction.</summary>
    public static async Task<long> CountMentionsAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COUNT(*) FROM graph_mentions;";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Reads the whole copy inside the caller's (read) transaction, so it matches <paramref name="head"/> exactly.</summary>
    public static async Task<GraphSnapshot> LoadAsync(
        SqliteConnection connection, SqliteTransaction transaction, GraphHead head, CancellationToken cancellationToken)
    {
        var strings = new Dictionary<string, string>(StringComparer.Ordinal);
        string Intern(string value)
        {
            if (!strings.TryGetValue(value, out var interned))
            {
                strings[value] = interned = value;
            }

            return interned;
        }

        // Set id → tenant, and principal → the sets that list it (the acl_set_members index, in memory).
        var aclSets = new Dictionary<long, string>();
        var setsByPrincipal = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        await using (var command = Command("SELECT s.id, s.tenant, m.principal FROM acl_sets s JOIN acl_set_members m ON m.acl_set_id = s.id;"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt64(0);
                aclSets[id] = Intern(reader.GetString(1));
                var principal = reader.GetString(2);
                if (!setsByPrincipal.TryGetValue(principal, out var sets))
                {
                    sets = [];
                    setsByPrincipal[principal] = sets;
                }

                sets.Add(id);
            }
        }

        var chunkSeqs = new List<long>();
        var chunkIds = new List<string>();
        var chunkTenants = new List<string>();
        var chunkAclSets = new List<long>();
        await using (var command = Command("SELECT seq, id, tenant, acl_set_id FROM chunks ORDER BY seq;"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                chunkSeqs.Add(reader.GetInt64(0));
                chunkIds.Add(reader.GetString(1));
                chunkTenants.Add(Intern(reader.GetString(2)));
                chunkAclSets.Add(reader.GetInt64(3));
            }
        }

        var entityRowIds = new List<long>();
        var entityPublicIds = new List<string>();
        var entityTenants = new List<string>();
        await using (var command = Command("SELECT id, public_id, tenant FROM graph_entities ORDER BY id;"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                entityRowIds.Add(reader.GetInt64(0));
                entityPublicIds.Add(reader.GetString(1));
                entityTenants.Add(Intern(reader.GetString(2)));
            }
        }

        var chunkIndex = new Dictionary<long, int>(chunkSeqs.Count);
        for (var i = 0; i < chunkSeqs.Count; i++)
        {
            chunkIndex[chunkSeqs[i]] = i;
        }

        var entityIndex = new Dictionary<long, int>(entityRowIds.Count);
        for (var i = 0; i < entityRowIds.Count; i++)
        {
            entityIndex[entityRowIds[i]] = i;
        }

        var mentions = new List<Mention>();
        var chunkStarts = new int[chunkSeqs.Count + 1];
        await using (var command = Command("SELECT chunk_seq, entity_id, acl_set_id, count, name, type FROM graph_mentions ORDER BY chunk_seq, entity_id;"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                // Foreign keys make both lookups succeed; a row that does not resolve could never be read through SQL either.
                if (!chunkIndex.TryGetValue(reader.GetInt64(0), out var chunk) || !entityIndex.TryGetValue(reader.GetInt64(1), out var entity))
                {
                    continue;
                }

                mentions.Add(new Mention(entity, chunk, reader.GetInt64(2), reader.GetInt32(3), Intern(reader.GetString(4)), reader.IsDBNull(5) ? null : Intern(reader.GetString(5))));
                chunkStarts[chunk + 1]++;
            }
        }

        for (var i = 0; i < chunkSeqs.Count; i++)
        {
            chunkStarts[i + 1] += chunkStarts[i];
        }

        var entityStarts = new int[entityRowIds.Count + 1];
        foreach (var mention in mentions)
        {
            entityStarts[mention.Entity + 1]++;
        }

        for (var i = 0; i < entityRowIds.Count; i++)
        {
            entityStarts[i + 1] += entityStarts[i];
        }

        var entityMentions = new int[mentions.Count];
        var fill = (int[])entityStarts.Clone();
        for (var m = 0; m < mentions.Count; m++)
        {
            entityMentions[fill[mentions[m].Entity]++] = m;
        }

        // Chunk indexes follow sequence order, so (count desc, chunk index asc) is (count desc, chunk_seq asc).
        var mentionArray = mentions.ToArray();
        var byCountThenChunk = Comparer<int>.Create((a, b) =>
        {
            var byCount = mentionArray[b].Count.CompareTo(mentionArray[a].Count);
            return byCount != 0 ? byCount : mentionArray[a].Chunk.CompareTo(mentionArray[b].Chunk);
        });
        for (var e = 0; e < entityRowIds.Count; e++)
        {
            Array.Sort(entityMentions, entityStarts[e], entityStarts[e + 1] - entityStarts[e], byCountThenChunk);
        }

        return new GraphSnapshot(
            head, aclSets, setsByPrincipal, [.. chunkSeqs], [.. chunkIds], [.. chunkTenants], [.. chunkAclSets],
            [.. entityRowIds], [.. entityPublicIds], [.. entityTenants], mentionArray, chunkStarts, entityStarts, entityMentions);

        SqliteCommand Command(string sql)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            return command;
        }
    }

    /// <summary>Entity <see cref="Entity"/> mentioned <see cref="Count"/> times in chunk <see cref="Chunk"/> (snapshot indexes) under ACL set <see cref="AclSet"/>.</summary>
    internal readonly record struct Mention(int Entity, int Chunk, long AclSet, int Count, string Name, string? Type);
}

/// <summary>
/// Change counters of the embedded store: the last chunk sequence and chunk-deletion id handed out (both AUTOINCREMENT,
/// never reused) and the newest ACL set. Every graph write inserts or deletes chunks in the same transaction (the graph
/// hangs off chunks), so any write that changes what the graph holds moves one of them.
/// </summary>
internal readonly record struct GraphHead(long ChunkSeq, long DeletionSeq, long AclSet);
