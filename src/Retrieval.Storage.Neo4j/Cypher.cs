using System.Security.Cryptography;
using System.Text;
using Retrieval.Core.Security;

namespace Retrieval.Storage.Neo4j;

/// <summary>
/// Every Cypher statement this backend runs, in one place so that tests can enumerate them. The model:
/// <c>(:Document)-[:HAS_CHUNK]-&gt;(:Chunk)-[:MENTIONS]-&gt;(:Entity)-[:RELATED {chunk}]-&gt;(:Entity)</c>, plus
/// <c>(:Name)-[:NAMES]-&gt;(:Entity)</c> as the lookup from a normalized name or alias to the entities it may mean.
/// A chunk carries its document's tenant and ACL; a MENTIONS edge carries the surface name, type, count and the names
/// (key and aliases) that chunk uses for the entity; one RELATED edge exists per supporting chunk. So an alias or a
/// relation is visible exactly as far as the chunk that supports it is, and every reader statement reaches data only
/// through a chunk that passes <see cref="ChunkReadable"/>.
/// </summary>
internal static class Cypher
{
    /// <summary>The ACL predicate on a chunk bound to <c>c</c>: same tenant, and the ACL intersects the caller's principals.</summary>
    public const string ChunkReadable = "c.tenant = $tenant AND any(p IN c.acl WHERE p IN $principals)";

    /// <summary>The parameters every reader statement needs, from the caller's filter.</summary>
    public static Dictionary<string, object?> ReaderParameters(AclFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["tenant"] = filter.Tenant,
            ["principals"] = filter.Principals.ToArray(),
        };
    }

    /// <summary>Unique key of a document node (documents ids are unique per tenant only).</summary>
    public static string DocumentUid(string tenant, string documentId) => $"{tenant}\u001f{documentId}";

    /// <summary>Unique key of a name node: tenant and normalized name (a prefix of it serves the prefix search).</summary>
    public static string NameUid(string tenant, string key) => $"{tenant}\u001f{key}";

    /// <summary>The public id of an entity: the first 16 bytes of SHA-256 over tenant and key, as hex (the same as the embedded store's).</summary>
    public static string EntityId(string tenant, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tenant}\u001f{key}")).AsSpan(0, 16));

    // ---- Schema (idempotent, at start-up) ----

    public static readonly IReadOnlyList<string> Schema =
    [
        "CREATE CONSTRAINT retrieval_document_uid IF NOT EXISTS FOR (d:Document) REQUIRE d.uid IS UNIQUE",
        "CREATE CONSTRAINT retrieval_chunk_id IF NOT EXISTS FOR (c:Chunk) REQUIRE c.id IS UNIQUE",
        "CREATE CONSTRAINT retrieval_entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE",
        "CREATE CONSTRAINT retrieval_name_uid IF NOT EXISTS FOR (n:Name) REQUIRE n.uid IS UNIQUE",
    ];

    // ---- Reader statements: each reaches entities, names, relations and counts only through readable chunks ----

    /// <summary>
    /// The shared tail of the entity reads, after rows <c>e, c, m, hitNames</c> of readable mentions: grouped by
    /// (document version, surface name, type), with one supporting chunk per group (the lowest id) for the check against
    /// the document store, and the names (<c>names</c>) and matched names (<c>hits</c>) those chunks use.
    /// </summary>
    private const string MentionGroups =
        """
        WITH e, c, m, hitNames ORDER BY c.id
        WITH e, c.document AS document, c.version AS version, m.name AS name, m.type AS type,
             count(c) AS chunks, sum(m.count) AS mentions, collect(c.id)[0] AS chunk, collect(c.hash)[0] AS hash,
             collect(m.names) AS nameLists, collect(hitNames) AS hitLists
        RETURN e.id AS entity, e.key AS key, document, version, name, type, chunks, mentions, chunk, hash,
               reduce(acc = [], l IN nameLists | acc + [x IN l WHERE NOT x IN acc]) AS names,
               reduce(acc = [], l IN hitLists | acc + [x IN l WHERE NOT x IN acc]) AS hits
        """;

    /// <summary>Entities named (key or alias) by one of <c>$uids</c>; <c>hits</c>: which of those names readable chunks use.</summary>
    public const string FindByKeys =
        $$"""
        UNWIND $uids AS uid
        MATCH (n:Name {uid: uid})-[:NAMES]->(e:Entity)
        WHERE e.tenant = $tenant
        WITH e, collect(n.key) AS keys
        MATCH (c:Chunk)-[m:MENTIONS]->(e)
        WHERE {{ChunkReadable}}
        WITH e, c, m, [k IN m.names WHERE k IN keys] AS hitNames
        {{MentionGroups}}
        """;

    /// <summary>Entities with a name or alias starting with <c>$prefix</c> that a readable chunk uses (at most <c>$scan</c>).</summary>
    public const string SearchByPrefix =
        $$"""
        MATCH (n:Name) WHERE n.uid STARTS WITH $uidPrefix
        MATCH (n)-[:NAMES]->(e:Entity)
        WHERE e.tenant = $tenant
        WITH DISTINCT e
        WHERE EXISTS { MATCH (c:Chunk)-[m:MENTIONS]->(e) WHERE {{ChunkReadable}} AND any(k IN m.names WHERE k STARTS WITH $prefix) }
        WITH e LIMIT $scan
        MATCH (c:Chunk)-[m:MENTIONS]->(e)
        WHERE {{ChunkReadable}}
        WITH e, c, m, [k IN m.names WHERE k STARTS WITH $prefix] AS hitNames
        {{MentionGroups}}
        """;

    /// <summary>Entities by public id (<c>$ids</c>), as readable chunks show them.</summary>
    public const string EntitiesById =
        $$"""
        UNWIND $ids AS id
        MATCH (e:Entity {id: id})
        WHERE e.tenant = $tenant
        WITH DISTINCT e
        MATCH (c:Chunk)-[m:MENTIONS]->(e)
        WHERE {{ChunkReadable}}
        WITH e, c, m, [] AS hitNames
        {{MentionGroups}}
        """;

    /// <summary>Relations of entity <c>$id</c>, per neighbour and supporting document version, from readable chunks only.</summary>
    public const string Neighbors =
        $$"""
        MATCH (e:Entity {id: $id})-[r:RELATED]-(o:Entity)
        WHERE e.tenant = $tenant AND o.id <> e.id
        MATCH (c:Chunk {id: r.chunk})
        WHERE {{ChunkReadable}}
        WITH o, c, r ORDER BY c.id
        RETURN o.id AS other, c.document AS document, c.version AS version, count(c) AS chunks, sum(r.weight) AS weight,
               collect(c.id)[0] AS chunk, collect(c.hash)[0] AS hash
        """;

    /// <summary>The readable chunks that mention entity <c>$id</c>, most mentions first (at most <c>$limit</c>).</summary>
    public const string EntityChunks =
        $$"""
        MATCH (c:Chunk)-[m:MENTIONS]->(e:Entity {id: $id})
        WHERE e.tenant = $tenant AND {{ChunkReadable}}
        RETURN c.id AS chunk, c.document AS document, c.version AS version, c.hash AS hash
        ORDER BY m.count DESC, c.id
        LIMIT $limit
        """;

    /// <summary>Which of the chunks <c>$ids</c> are readable (the seed passages of a subgraph).</summary>
    public const string ReadableChunks =
        $$"""
        UNWIND $ids AS id
        MATCH (c:Chunk {id: id})
        WHERE {{ChunkReadable}}
        RETURN c.id AS chunk, c.document AS document, c.version AS version, c.hash AS hash
        """;

    /// <summary>For each entity of <c>$ids</c>, its <c>$perEntity</c> readable chunks with the most mentions.</summary>
    public const string ChunksOfEntities =
        $$"""
        UNWIND $ids AS id
        MATCH (e:Entity {id: id})
        WHERE e.tenant = $tenant
        UNWIND COLLECT {
          MATCH (c:Chunk)-[m:MENTIONS]->(e)
          WHERE {{ChunkReadable}}
          WITH c, m ORDER BY m.count DESC, c.id LIMIT $perEntity
          RETURN c
        } AS c
        RETURN e.id AS entity, c.id AS chunk, c.document AS document, c.version AS version, c.hash AS hash
        """;

    /// <summary>The mentions in the readable chunks <c>$ids</c> (the edges of the entity–chunk subgraph).</summary>
    public const string MentionsInChunks =
        $$"""
        UNWIND $ids AS id
        MATCH (c:Chunk {id: id})-[m:MENTIONS]->(e:Entity)
        WHERE {{ChunkReadable}}
        RETURN c.id AS chunk, e.id AS entity, m.count AS count
        """;

    /// <summary>Every statement that serves a reader (tests check each carries <see cref="ChunkReadable"/>).</summary>
    public static IReadOnlyDictionary<string, string> ReaderStatements { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [nameof(FindByKeys)] = FindByKeys,
        [nameof(SearchByPrefix)] = SearchByPrefix,
        [nameof(EntitiesById)] = EntitiesById,
        [nameof(Neighbors)] = Neighbors,
        [nameof(EntityChunks)] = EntityChunks,
        [nameof(ReadableChunks)] = ReadableChunks,
        [nameof(ChunksOfEntities)] = ChunksOfEntities,
        [nameof(MentionsInChunks)] = MentionsInChunks,
    };

    // ---- Ingestion-side statements (no caller: the document store already authorized the write) ----

    /// <summary>The projection state of a document: which version and extractor completed (<c>projected</c> is written last).</summary>
    public const string DocumentState =
        """
        MATCH (d:Document {uid: $uid})
        RETURN d.projected AS projected, d.version AS version, d.contentHash AS contentHash, d.extractor AS extractor
        """;

    /// <summary>Step 1 of a projection: the document is not current until the last step says so.</summary>
    public const string BeginDocument =
        """
        MERGE (d:Document {uid: $uid})
        SET d.tenant = $tenant, d.id = $id, d.projected = false, d.extractor = null
        """;

    /// <summary>Step 1 of a removal (nothing to do when the document was never projected).</summary>
    public const string BeginRemoval =
        """
        MATCH (d:Document {uid: $uid})
        SET d.projected = false, d.extractor = null
        """;

    /// <summary>
    /// Step 2: the mentions and relations of every chunk of the document go, and its chunks not in <c>$keep</c> with them
    /// (one transaction). Returns the entities those chunks mentioned, to check for orphans.
    /// </summary>
    public const string ClearDocument =
        """
        MATCH (d:Document {uid: $uid})-[:HAS_CHUNK]->(c:Chunk)
        OPTIONAL MATCH (c)-[m:MENTIONS]->(e:Entity)
        OPTIONAL MATCH (e)-[r:RELATED]-(:Entity) WHERE r.chunk = c.id
        WITH c, collect(DISTINCT m) AS mentions, collect(DISTINCT r) AS relations, collect(DISTINCT e.id) AS entities
        FOREACH (x IN relations | DELETE x)
        FOREACH (x IN mentions | DELETE x)
        WITH c, entities, c.id IN $keep AS kept
        FOREACH (_ IN CASE WHEN kept THEN [] ELSE [1] END | DETACH DELETE c)
        WITH entities
        UNWIND entities AS entity
        RETURN DISTINCT entity
        """;

    /// <summary>Step 3 (batched): the chunks of the new version, with the document's tenant and ACL copied onto each.</summary>
    public const string UpsertChunks =
        """
        MATCH (d:Document {uid: $uid})
        UNWIND $rows AS row
        MERGE (c:Chunk {id: row.id})
        SET c.tenant = $tenant, c.document = $document, c.version = $version, c.ordinal = row.ordinal, c.hash = row.hash, c.acl = $acl
        MERGE (d)-[:HAS_CHUNK]->(c)
        """;

    /// <summary>Step 4 (batched): entities, mentions and the names that link to them.</summary>
    public const string UpsertMentions =
        """
        UNWIND $rows AS row
        MATCH (c:Chunk {id: row.chunk})
        MERGE (e:Entity {id: row.entity})
          ON CREATE SET e.tenant = $tenant, e.key = row.key
        MERGE (c)-[m:MENTIONS]->(e)
        SET m.name = row.name, m.type = row.type, m.count = row.count, m.names = row.names
        WITH e, row
        UNWIND range(0, size(row.names) - 1) AS i
        MERGE (n:Name {uid: row.nameUids[i]})
          ON CREATE SET n.tenant = $tenant, n.key = row.names[i]
        MERGE (n)-[:NAMES]->(e)
        """;

    /// <summary>Step 5 (batched): one RELATED edge per supporting chunk.</summary>
    public const string UpsertRelations =
        """
        UNWIND $rows AS row
        MATCH (a:Entity {id: row.source}), (b:Entity {id: row.target})
        MERGE (a)-[r:RELATED {chunk: row.chunk}]->(b)
        SET r.weight = row.weight
        """;

    /// <summary>
    /// Step 6: of the entities the old chunks mentioned, names no remaining mention uses stop linking, and entities no
    /// chunk mentions go (with their relations). Returns the names that lost a link.
    /// </summary>
    public const string DeleteOrphanEntities =
        """
        UNWIND $ids AS id
        MATCH (e:Entity {id: id})
        OPTIONAL MATCH (n:Name)-[x:NAMES]->(e)
        WHERE NOT EXISTS { MATCH (:Chunk)-[m:MENTIONS]->(e) WHERE n.key IN m.names }
        DELETE x
        WITH e, collect(n.uid) AS dropped
        FOREACH (_ IN CASE WHEN EXISTS { MATCH (:Chunk)-[:MENTIONS]->(e) } THEN [] ELSE [1] END | DETACH DELETE e)
        WITH dropped
        UNWIND dropped AS name
        RETURN DISTINCT name
        """;

    /// <summary>Step 7: names that link to no entity any more.</summary>
    public const string DeleteOrphanNames =
        """
        UNWIND $uids AS uid
        MATCH (n:Name {uid: uid})
        WHERE NOT EXISTS { MATCH (n)-[:NAMES]->() }
        DELETE n
        """;

    /// <summary>Last step of a projection: this version (and extractor) is now current.</summary>
    public const string CompleteDocument =
        """
        MATCH (d:Document {uid: $uid})
        SET d.version = $version, d.contentHash = $contentHash, d.extractor = $extractor, d.projected = true
        """;

    /// <summary>Last step of a removal.</summary>
    public const string DeleteDocument =
        """
        MATCH (d:Document {uid: $uid})
        DETACH DELETE d
        """;
}
