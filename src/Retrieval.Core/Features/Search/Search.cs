using Mediator;
using Retrieval.Core.Query;
using Retrieval.Core.Security;

namespace Retrieval.Core.Features.Search;

/// <summary>Search the documents the caller may read (role reader).</summary>
public sealed record SearchRequest(Principal Principal, string Query, int? TopK, string? Mode) : IRequest<SearchResult>;

public sealed class SearchHandler : IRequestHandler<SearchRequest, SearchResult>
{
    private readonly HybridSearcher _searcher;

    public SearchHandler(HybridSearcher searcher) => _searcher = searcher;

    public async ValueTask<SearchResult> Handle(SearchRequest request, CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Reader);
        var mode = RetrievalModes.Parse(request.Mode);
        return await _searcher.SearchAsync(request.Principal, request.Query, request.TopK, mode, cancellationToken).ConfigureAwait(false);
    }
}
