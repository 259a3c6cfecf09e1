using Mediator;
using Retrieval.Core.Graph;
using Retrieval.Core.Query;
using Retrieval.Core.Security;

namespace Retrieval.Core.Features.Search;

/// <summary>Search the documents the caller may read (role reader).</summary>
public sealed record SearchRequest(Principal Principal, string Query, int? TopK, string? Mode) : IRequest<SearchResult>;

public sealed class SearchHandler : IRequestHandler<SearchRequest, SearchResult>
{
    private readonly HybridSearcher _searcher;
    private readonly GlobalGraphAnswerer _global;

    public SearchHandler(HybridSearcher searcher, GlobalGraphAnswerer global)
    {
        _searcher = searcher;
        _global = global;
    }

    public async ValueTask<SearchResult> Handle(SearchRequest request, CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Reader);
        if (RetrievalModes.IsGlobal(request.Mode))
        {
            return await _global.SearchAsync(request.Principal, request.Query, request.TopK, cancellationToken).ConfigureAwait(false);
        }

        var mode = RetrievalModes.Parse(request.Mode);
        return await _searcher.SearchAsync(request.Principal, request.Query, request.TopK, mode, cancellationToken).ConfigureAwait(false);
    }
}
