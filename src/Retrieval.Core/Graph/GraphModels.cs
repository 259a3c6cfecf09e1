namespace Retrieval.Core.Graph;

/// <summary>
/// The knowledge-graph data one ingestion run extracted from a document: per chunk, the entities it mentions and the
/// relations it supports. Stored with the chunks, in the same transaction, so every entity and relation knows the chunks
/// that support it, and a reader sees them only through chunks it may read (DESIGN.md §2, §3).
/// </summary>
/// <param name="Extractor">Name and version of the extractor (e.g. <c>fast/1</c>): a change re-extracts on the next ingest.</param>
/// <param name="Chunks">One entry per chunk that mentions anything, keyed by chunk id.</param>
public sealed record DocumentGraph(string Extractor, IReadOnlyList<ChunkGraph> Chunks)
{
    public static DocumentGraph Empty(string extractor) => new(extractor, []);
}

/// <summary>The entities one chunk mentions and the relations (co-occurrences) it supports.</summary>
public sealed record ChunkGraph(string ChunkId, IReadOnlyList<EntityMention> Mentions, IReadOnlyList<EntityRelation> Relations);

/// <summary>
/// An entity as mentioned in one chunk. <see cref="Key"/> is the normalized canonical name (the entity's identity within
/// a tenant); <see cref="Name"/> the surface form shown to readers; <see cref="Aliases"/> further normalized names that
/// link to it (shorter forms, acronyms) as this chunk's document uses them.
/// </summary>
public sealed record EntityMention(string Key, string Name, string? Type, int Count, IReadOnlyList<string> Aliases);

/// <summary>Two entities (by key, <see cref="SourceKey"/> ordinal-less than <see cref="TargetKey"/>) that co-occur in a chunk.</summary>
public sealed record EntityRelation(string SourceKey, string TargetKey, double Weight);

/// <summary>Entity types the fast extractor can tell from surface cues (null when unknown).</summary>
public static class EntityTypes
{
    public const string Person = "person";
    public const string Organization = "organization";
    public const string Place = "place";
    public const string Title = "title";
    public const string Acronym = "acronym";
}

/// <summary>An entity as one caller sees it: everything computed from the chunks that caller may read.</summary>
/// <param name="Id">Stable public id (a hash of tenant and key): unguessable ids are not needed, since a missing and an unreadable entity look the same.</param>
/// <param name="Chunks">Readable chunks that mention it.</param>
public sealed record GraphEntity(string Id, string Name, string? Type, int Chunks, int Mentions);

/// <summary>A related entity and the weight of the relation, summed over readable supporting chunks only.</summary>
public sealed record EntityNeighbor(GraphEntity Entity, double Weight, int Chunks);

/// <summary>One entity with its neighbourhood and supporting chunks, as visible to one caller.</summary>
public sealed record EntityDetail(GraphEntity Entity, IReadOnlyList<string> Aliases, IReadOnlyList<EntityNeighbor> Neighbors, IReadOnlyList<string> ChunkIds);

/// <summary>
/// A query n-gram that matched an entity name or alias, or (<see cref="Similarity"/> set) an entity linked by the
/// similarity of its name's embedding to the query's; <see cref="MatchedKey"/> is then the entity's display name.
/// </summary>
public sealed record LinkedEntity(GraphEntity Entity, string MatchedKey)
{
    public double? Similarity { get; init; }
}

/// <summary>
/// The permitted entity–chunk bipartite subgraph around some seed entities: every edge is a mention in a chunk the caller
/// may read. Entity and chunk indexes refer to <see cref="Entities"/> and <see cref="ChunkIds"/>.
/// </summary>
public sealed record EntityChunkGraph(
    IReadOnlyList<GraphEntity> Entities,
    IReadOnlyList<string> ChunkIds,
    IReadOnlyList<MentionEdge> Edges)
{
    public static EntityChunkGraph Empty { get; } = new([], [], []);
}

/// <summary>Entity <see cref="Entity"/> is mentioned <see cref="Count"/> times in chunk <see cref="Chunk"/> (indexes into the subgraph).</summary>
public readonly record struct MentionEdge(int Entity, int Chunk, int Count);

/// <summary>Bounds of the subgraph expansion around the seeds.</summary>
/// <param name="Hops">Entity → chunk steps from the seeds (1: chunks mentioning a seed; 2: also chunks of their co-mentioned entities).</param>
/// <param name="MaxChunksPerEntity">Chunks followed from one entity (hub entities are followed to their most frequent mentions only).</param>
/// <param name="MaxChunks">Overall cap on chunks in the subgraph.</param>
public sealed record GraphExpansion(int Hops, int MaxChunksPerEntity, int MaxChunks);
