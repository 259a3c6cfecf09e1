using Mediator;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;

namespace Retrieval.Core.Features.Graph;

/// <summary>
/// Entities of the knowledge graph the caller can see (role reader): those named by the query (exact name or alias of any
/// n-gram), then those whose name starts with it. Everything is computed from the chunks the caller may read.
/// </summary>
public sealed record SearchEntitiesRequest(Principal Principal, string Query, int? Limit) : IRequest<IReadOnlyList<GraphEntity>>;

/// <summary>One entity with its neighbours and supporting chunks (role reader); 404 when missing or not visible.</summary>
public sealed record GetEntityRequest(Principal Principal, string Id, int? Neighbors, int? Chunks) : IRequest<EntityDetail>;

public sealed class SearchEntitiesHandler : IRequestHandler<SearchEntitiesRequest, IReadOnlyList<GraphEntity>>
{
    public const int MaxLimit = 100;
    public const int MaxQueryLength = 500;

    private readonly IGraphStore _store;

    public SearchEntitiesHandler(IGraphStore store) => _store = store;

    public async ValueTask<IReadOnlyList<GraphEntity>> Handle(SearchEntitiesRequest request, CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Reader);
        if (string.IsNullOrWhiteSpace(request.Query) || request.Query.Length > MaxQueryLength)
        {
            throw new ValidationException($"'query' must be 1–{MaxQueryLength} characters.");
        }

        var limit = request.Limit ?? 20;
        if (limit is < 1 or > MaxLimit)
        {
            throw new ValidationException($"'limit' must be between 1 and {MaxLimit}.");
        }

        var filter = request.Principal.ToAclFilter();
        var spans = QueryLinker.Spans(request.Query);
        var exact = await _store.FindByKeysAsync(filter, spans.Select(s => s.Key).Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
        var whole = EntityNames.Normalize(request.Query);
        var results = exact
            .OrderByDescending(l => l.MatchedKey == whole)
            .ThenByDescending(l => l.MatchedKey.Length)
            .ThenByDescending(l => l.Entity.Mentions)
            .Select(l => l.Entity)
            .ToList();
        if (whole.Length > 0 && results.Count < limit)
        {
            results.AddRange(await _store.SearchAsync(filter, whole, limit, cancellationToken).ConfigureAwait(false));
        }

        return [.. results.DistinctBy(e => e.Id, StringComparer.Ordinal).Take(limit)];
    }
}

public sealed class GetEntityHandler : IRequestHandler<GetEntityRequest, EntityDetail>
{
    public const int MaxNeighbors = 200;
    public const int MaxChunks = 200;

    private readonly IGraphStore _store;

    public GetEntityHandler(IGraphStore store) => _store = store;

    public async ValueTask<EntityDetail> Handle(GetEntityRequest request, CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Reader);
        var neighbors = request.Neighbors ?? 20;
        var chunks = request.Chunks ?? 20;
        if (neighbors is < 0 or > MaxNeighbors || chunks is < 0 or > MaxChunks)
        {
            throw new ValidationException($"'neighbors' and 'chunks' must be between 0 and {MaxNeighbors}.");
        }

        return await _store.GetAsync(request.Principal.ToAclFilter(), request.Id ?? string.Empty, neighbors, chunks, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException($"Entity '{request.Id}' was not found.");
    }
}

/// <summary>
/// The caller's communities (role reader): detected over the entity graph the caller may see, the most tightly knit
/// first (or those containing entities the query names), each summarized from the caller's readable chunks.
/// </summary>
public sealed record ListCommunitiesRequest(Principal Principal, string? Query, int? Limit, bool? Summaries) : IRequest<CommunityList>;

/// <param name="Total">Communities of at least the minimum size the caller can see.</param>
public sealed record CommunityList(IReadOnlyList<GraphCommunity> Communities, int Total, IReadOnlyDictionary<string, double> Timings);

public sealed class ListCommunitiesHandler : IRequestHandler<ListCommunitiesRequest, CommunityList>
{
    public const int MaxLimit = 50;

    private readonly GlobalGraphRetriever _global;

    public ListCommunitiesHandler(GlobalGraphRetriever global) => _global = global;

    public async ValueTask<CommunityList> Handle(ListCommunitiesRequest request, CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Reader);
        var limit = request.Limit ?? 10;
        if (limit is < 1 or > MaxLimit)
        {
            throw new ValidationException($"'limit' must be between 1 and {MaxLimit}.");
        }

        if (request.Query is { Length: > SearchEntitiesHandler.MaxQueryLength })
        {
            throw new ValidationException($"'query' must be at most {SearchEntitiesHandler.MaxQueryLength} characters.");
        }

        var result = await _global.RetrieveAsync(request.Principal.ToAclFilter(), request.Query, limit, request.Summaries ?? true, cancellationToken).ConfigureAwait(false);
        return new CommunityList(result.Communities, result.Total, result.Timings);
    }
}
