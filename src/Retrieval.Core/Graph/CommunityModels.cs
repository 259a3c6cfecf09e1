namespace Retrieval.Core.Graph;

/// <summary>
/// The whole entity graph as one caller may see it: entities mentioned by readable chunks, their readable mentions, and
/// relations with weights summed over readable supporting chunks only. Communities are computed over this, so membership
/// can never rest on a link that only an unreadable chunk supports.
/// </summary>
/// <param name="Keys">Normalized name of each entity (same index as <see cref="Entities"/>), for linking query text.</param>
public sealed record EntityGraph(
    IReadOnlyList<GraphEntity> Entities,
    IReadOnlyList<string> Keys,
    IReadOnlyList<string> ChunkIds,
    IReadOnlyList<MentionEdge> Mentions,
    IReadOnlyList<RelationEdge> Relations)
{
    public static EntityGraph Empty { get; } = new([], [], [], [], []);
}

/// <summary>Entities <see cref="Source"/> and <see cref="Target"/> (indexes) are related with this readable weight in this many readable chunks.</summary>
public readonly record struct RelationEdge(int Source, int Target, double Weight, int Chunks);

/// <summary>A community of the caller's entity graph, with its summary (from the caller's readable chunks only).</summary>
/// <param name="Id">Hash of the tenant and the member entities' ids: the same members give the same id.</param>
/// <param name="Title">The names of its most central entities.</param>
/// <param name="Entities">Its most central entities (by relation weight inside the community), at most 10.</param>
/// <param name="Size">Entities in the community.</param>
/// <param name="Chunks">Readable chunks that mention a member.</param>
/// <param name="Weight">Sum of the readable relation weights inside the community (how strongly it holds together).</param>
public sealed record GraphCommunity(
    string Id, string Title, IReadOnlyList<GraphEntity> Entities, int Size, int Chunks, double Weight, CommunitySummary? Summary);

/// <summary>
/// A summary of a community: <see cref="Text"/> cites its sources as [n] (1-based into <see cref="Sources"/>). It
/// derives only from those source chunks (and, for the extractive summarizer, the community's entity names), so it
/// can be shared exactly between callers for whom its inputs are the same.
/// </summary>
public sealed record CommunitySummary(string Text, IReadOnlyList<SummarySource> Sources, string Generator);

/// <summary>A chunk a summary was written from.</summary>
public sealed record SummarySource(int Index, string ChunkId, string DocumentId, string Title);
