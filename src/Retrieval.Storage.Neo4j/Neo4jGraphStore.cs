using System.Text.Json;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Neo4j;

/// <summary>
/// Graph reads on Neo4j with the embedded store's semantics: every statement reaches entities only through chunks that
/// pass the caller's tenant and ACL predicate inside Cypher (<see cref="Cypher.ChunkReadable"/>), so names, aliases,
/// counts and weights are computed from readable chunks; and every document version those chunks belong to is then
/// confirmed against the document store (<see cref="SupportVerifier"/>), so a projection that lags behind the store can
/// hide graph data for a while but never show any the caller may not read now.
/// </summary>
public sealed class Neo4jGraphStore : IGraphStore
{
    /// <summary>Entities a prefix search considers (as the embedded store's).</summary>
    private const int PrefixScan = 1000;

    private readonly Neo4jQueryClient _client;
    private readonly SupportVerifier _verifier;

    public Neo4jGraphStore(Neo4jQueryClient client, IDocumentStore documents)
    {
        _client = client;
        _verifier = new SupportVerifier(documents);
    }

    public bool StoresGraph => true;

    public async Task<string?> GetExtractorAsync(string tenant, string documentId, CancellationToken cancellationToken)
    {
        var state = await Neo4jGraphProjection.ReadStateAsync(_client, tenant, documentId, cancellationToken).ConfigureAwait(false);
        return state is { Projected: true } ? state.Extractor : null;
    }

    public async Task<IReadOnlyList<LinkedEntity>> FindByKeysAsync(AclFilter filter, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return [];
        }

        var parameters = Cypher.ReaderParameters(filter);
        parameters["uids"] = keys.Distinct(StringComparer.Ordinal).Select(k => Cypher.NameUid(filter.Tenant, k)).ToArray();
        var groups = await ReadGroupsAsync(filter, Cypher.FindByKeys, parameters, cancellationToken).ConfigureAwait(false);
        var wanted = keys.ToHashSet(StringComparer.Ordinal);
        var result = new List<LinkedEntity>();
        foreach (var entity in Summaries(groups))
        {
            foreach (var key in entity.Groups.SelectMany(g => g.Hits).Where(wanted.Contains).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                result.Add(new LinkedEntity(entity.Entity, key));
            }
        }

        return result;
    }

    public async Task<IReadOnlyList<GraphEntity>> SearchAsync(AclFilter filter, string prefix, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (string.IsNullOrEmpty(prefix) || limit <= 0)
        {
            return [];
        }

        var parameters = Cypher.ReaderParameters(filter);
        parameters["prefix"] = prefix;
        parameters["uidPrefix"] = Cypher.NameUid(filter.Tenant, prefix);
        parameters["scan"] = PrefixScan;
        var groups = await ReadGroupsAsync(filter, Cypher.SearchByPrefix, parameters, cancellationToken).ConfigureAwait(false);
        return [.. Summaries(groups)
            .Where(e => e.Groups.Any(g => g.Hits.Count > 0))
            .Select(e => e.Entity)
            .OrderByDescending(e => e.Mentions)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .Take(limit)];
    }

    public async Task<EntityDetail?> GetAsync(AclFilter filter, string entityId, int maxNeighbors, int maxChunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (string.IsNullOrEmpty(entityId))
        {
            return null;
        }

        var self = Summaries(await LoadEntitiesAsync(filter, [entityId], cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        if (self is null)
        {
            return null; // missing, or no chunk this caller may read mentions it: indistinguishable
        }

        var aliases = self.Groups.SelectMany(g => g.Names)
            .Where(n => !string.Equals(n, self.Key, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        // Neighbours: relation support summed over verified readable chunks, strongest first.
        var parameters = Cypher.ReaderParameters(filter);
        parameters["id"] = entityId;
        var relations = await _client.RunAsync(new CypherQuery(Cypher.Neighbors, parameters), cancellationToken).ConfigureAwait(false);
        var relationRows = relations.Rows.Select(row => new
        {
            Other = Text(row, relations, "other"),
            Chunks = Int(row, relations, "chunks"),
            Weight = Number(row, relations, "weight"),
            Support = SupportOf(row, relations),
        }).ToList();
        var verified = await _verifier.VerifyAsync(filter, relationRows.Select(r => r.Support), cancellationToken).ConfigureAwait(false);
        var related = relationRows
            .Where(r => verified.Contains(r.Support.Source))
            .GroupBy(r => r.Other, StringComparer.Ordinal)
            .Select(g => (Entity: g.Key, Weight: g.Sum(r => r.Weight), Chunks: g.Sum(r => r.Chunks)))
            .OrderByDescending(r => r.Weight)
            .ThenBy(r => r.Entity, StringComparer.Ordinal)
            .Take(Math.Max(0, maxNeighbors))
            .ToList();
        var neighborEntities = Summaries(await LoadEntitiesAsync(filter, [.. related.Select(r => r.Entity)], cancellationToken).ConfigureAwait(false))
            .ToDictionary(e => e.Entity.Id, e => e.Entity, StringComparer.Ordinal);
        var neighbors = related
            .Where(r => neighborEntities.ContainsKey(r.Entity))
            .Select(r => new EntityNeighbor(neighborEntities[r.Entity], Math.Round(r.Weight, 4), r.Chunks))
            .ToList();

        // Supporting chunks, most mentions first.
        var chunkParameters = Cypher.ReaderParameters(filter);
        chunkParameters["id"] = entityId;
        chunkParameters["limit"] = Math.Max(0, maxChunks);
        var chunks = await _client.RunAsync(new CypherQuery(Cypher.EntityChunks, chunkParameters), cancellationToken).ConfigureAwait(false);
        var chunkRows = chunks.Rows.Select(row => SupportOf(row, chunks)).ToList();
        var verifiedChunks = await _verifier.VerifyAsync(filter, chunkRows, cancellationToken).ConfigureAwait(false);
        var chunkIds = chunkRows.Where(c => verifiedChunks.Contains(c.Source)).Select(c => c.Chunk).ToList();

        return new EntityDetail(self.Entity, aliases, neighbors, chunkIds);
    }

    public async Task<EntityChunkGraph> GetSubgraphAsync(
        AclFilter filter, IReadOnlyCollection<string> seedIds, IReadOnlyCollection<string> seedChunkIds, GraphExpansion expansion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(seedIds);
        ArgumentNullException.ThrowIfNull(seedChunkIds);
        ArgumentNullException.ThrowIfNull(expansion);

        var frontierEntities = seedIds.Distinct(StringComparer.Ordinal).ToList();
        var frontierChunks = new List<string>();
        if (seedChunkIds.Count > 0)
        {
            var parameters = Cypher.ReaderParameters(filter);
            parameters["ids"] = seedChunkIds.Distinct(StringComparer.Ordinal).ToArray();
            frontierChunks.AddRange(await VerifiedChunksAsync(filter, new CypherQuery(Cypher.ReadableChunks, parameters), cancellationToken).ConfigureAwait(false));
        }

        var expanded = new HashSet<string>(frontierEntities, StringComparer.Ordinal);
        var loadedChunks = new HashSet<string>(StringComparer.Ordinal);
        var chunkOrder = new List<string>();
        var rows = new List<(string Entity, string Chunk, int Count)>();
        for (var hop = 0; hop < expansion.Hops && loadedChunks.Count < expansion.MaxChunks; hop++)
        {
            var newChunks = new List<string>();
            foreach (var chunk in frontierChunks)
            {
                if (loadedChunks.Add(chunk))
                {
                    newChunks.Add(chunk);
                }
            }

            if (frontierEntities.Count > 0)
            {
                var parameters = Cypher.ReaderParameters(filter);
                parameters["ids"] = frontierEntities.ToArray();
                parameters["perEntity"] = expansion.MaxChunksPerEntity;
                foreach (var chunk in await VerifiedChunksAsync(filter, new CypherQuery(Cypher.ChunksOfEntities, parameters), cancellationToken).ConfigureAwait(false))
                {
                    if (loadedChunks.Count >= expansion.MaxChunks)
                    {
                        break;
                    }

                    if (loadedChunks.Add(chunk))
                    {
                        newChunks.Add(chunk);
                    }
                }
            }

            frontierChunks = [];
            frontierEntities = [];
            if (newChunks.Count == 0)
            {
                break;
            }

            var mentionParameters = Cypher.ReaderParameters(filter);
            mentionParameters["ids"] = newChunks.ToArray();
            var mentions = await _client.RunAsync(new CypherQuery(Cypher.MentionsInChunks, mentionParameters), cancellationToken).ConfigureAwait(false);
            foreach (var row in mentions.Rows)
            {
                var mention = (Text(row, mentions, "entity"), Text(row, mentions, "chunk"), Int(row, mentions, "count"));
                rows.Add(mention);
                if (expanded.Add(mention.Item1))
                {
                    frontierEntities.Add(mention.Item1);
                }
            }

            chunkOrder.AddRange(newChunks);
        }

        if (rows.Count == 0)
        {
            return EntityChunkGraph.Empty;
        }

        var entityOrder = rows.Select(r => r.Entity).Distinct(StringComparer.Ordinal).ToList();
        var entities = Summaries(await LoadEntitiesAsync(filter, entityOrder, cancellationToken).ConfigureAwait(false))
            .ToDictionary(e => e.Entity.Id, e => e.Entity, StringComparer.Ordinal);
        entityOrder = [.. entityOrder.Where(entities.ContainsKey)];
        var chunksWithMentions = rows.Where(r => entities.ContainsKey(r.Entity)).Select(r => r.Chunk).ToHashSet(StringComparer.Ordinal);
        chunkOrder = [.. chunkOrder.Where(chunksWithMentions.Contains)];

        var entityIndex = entityOrder.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index, StringComparer.Ordinal);
        var chunkIndex = chunkOrder.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index, StringComparer.Ordinal);
        var edges = rows
            .Where(r => entityIndex.ContainsKey(r.Entity) && chunkIndex.ContainsKey(r.Chunk))
            .Select(r => new MentionEdge(entityIndex[r.Entity], chunkIndex[r.Chunk], r.Count))
            .ToList();
        return new EntityChunkGraph([.. entityOrder.Select(id => entities[id])], chunkOrder, edges);
    }

    /// <summary>Runs a statement returning readable chunks (<c>chunk, document, version, hash</c>) and keeps the verified ones, in order.</summary>
    private async Task<List<string>> VerifiedChunksAsync(AclFilter filter, CypherQuery query, CancellationToken cancellationToken)
    {
        var result = await _client.RunAsync(query, cancellationToken).ConfigureAwait(false);
        var supports = result.Rows.Select(row => SupportOf(row, result)).ToList();
        var verified = await _verifier.VerifyAsync(filter, supports, cancellationToken).ConfigureAwait(false);
        return [.. supports.Where(s => verified.Contains(s.Source)).Select(s => s.Chunk).Distinct(StringComparer.Ordinal)];
    }

    private Task<List<MentionGroup>> LoadEntitiesAsync(AclFilter filter, List<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return Task.FromResult(new List<MentionGroup>());
        }

        var parameters = Cypher.ReaderParameters(filter);
        parameters["ids"] = ids.ToArray();
        return ReadGroupsAsync(filter, Cypher.EntitiesById, parameters, cancellationToken);
    }

    /// <summary>Runs an entity read and keeps the mention groups whose document version the store confirms.</summary>
    private async Task<List<MentionGroup>> ReadGroupsAsync(AclFilter filter, string statement, Dictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        var result = await _client.RunAsync(new CypherQuery(statement, parameters), cancellationToken).ConfigureAwait(false);
        var groups = result.Rows.Select(row => new MentionGroup(
            Text(row, result, "entity"),
            Text(row, result, "key"),
            Text(row, result, "name"),
            OptionalText(row, result, "type"),
            Int(row, result, "chunks"),
            Int(row, result, "mentions"),
            Texts(row, result, "names"),
            Texts(row, result, "hits"),
            SupportOf(row, result))).ToList();
        var verified = await _verifier.VerifyAsync(filter, groups.Select(g => g.Support), cancellationToken).ConfigureAwait(false);
        return [.. groups.Where(g => verified.Contains(g.Support.Source))];
    }

    /// <summary>Entities as the caller sees them, in the order first met: display name and type by mention count.</summary>
    private static IEnumerable<EntitySummary> Summaries(List<MentionGroup> groups) =>
        groups.GroupBy(g => g.Entity, StringComparer.Ordinal).Select(entity =>
        {
            var list = entity.ToList();
            var name = list.GroupBy(g => g.Name, StringComparer.Ordinal)
                .OrderByDescending(g => g.Sum(m => m.Mentions)).ThenBy(g => g.Key.Length).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
            var type = list.Where(g => g.Type is not null).GroupBy(g => g.Type!, StringComparer.Ordinal)
                .OrderByDescending(g => g.Sum(m => m.Mentions)).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault();
            return new EntitySummary(new GraphEntity(entity.Key, name, type, list.Sum(g => g.Chunks), list.Sum(g => g.Mentions)), list[0].Key, list);
        });

    private static Support SupportOf(JsonElement[] row, Neo4jResult result) =>
        new(new DocumentVersion(Text(row, result, "document"), Long(row, result, "version")), Text(row, result, "chunk"), Text(row, result, "hash"));

    private static string Text(JsonElement[] row, Neo4jResult result, string field) =>
        row[result.Field(field)].GetString() ?? throw new InvalidOperationException($"Neo4j returned null for '{field}'.");

    private static string? OptionalText(JsonElement[] row, Neo4jResult result, string field)
    {
        var value = row[result.Field(field)];
        return value.ValueKind == JsonValueKind.Null ? null : value.GetString();
    }

    private static int Int(JsonElement[] row, Neo4jResult result, string field) => checked((int)Long(row, result, field));

    private static long Long(JsonElement[] row, Neo4jResult result, string field)
    {
        var value = row[result.Field(field)];
        return value.ValueKind == JsonValueKind.Number ? (value.TryGetInt64(out var whole) ? whole : (long)value.GetDouble()) : 0;
    }

    private static double Number(JsonElement[] row, Neo4jResult result, string field)
    {
        var value = row[result.Field(field)];
        return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0;
    }

    private static List<string> Texts(JsonElement[] row, Neo4jResult result, string field)
    {
        var value = row[result.Field(field)];
        return value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray().Select(v => v.GetString()).OfType<string>()] : [];
    }

    private sealed record MentionGroup(
        string Entity, string Key, string Name, string? Type, int Chunks, int Mentions, List<string> Names, List<string> Hits, Support Support);

    private sealed record EntitySummary(GraphEntity Entity, string Key, List<MentionGroup> Groups);
}
