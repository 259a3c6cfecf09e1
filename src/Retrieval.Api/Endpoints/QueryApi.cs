using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Retrieval.Api.Auth;
using Retrieval.Core.Answering;
using Retrieval.Core.Features.Ask;
using Retrieval.Core.Features.Search;

namespace Retrieval.Api.Endpoints;

internal static class QueryApi
{
    public static RouteGroupBuilder MapQueryApi(this RouteGroupBuilder group, int maxBodyBytes)
    {
        var query = group.MapGroup(string.Empty).RequireAuthorization(AuthenticationSetup.ReaderPolicy).WithTags("Query")
            .WithMetadata(new RequestSizeLimitAttribute(maxBodyBytes));

        query.MapPost("/search", SearchAsync).WithName("Search")
            .WithSummary("Hybrid (dense + BM25), dense or lexical search over the documents the caller may read.");
        query.MapPost("/ask", AskAsync).WithName("Ask")
            .WithSummary("Answer a question with numbered citations; every sentence is verified against what it cites.");
        return group;
    }

    private static async Task<Ok<SearchResponse>> SearchAsync(SearchBody body, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var result = await mediator.Send(new SearchRequest(context.GetPrincipal(), body.Query ?? string.Empty, body.TopK, body.Mode), cancellationToken);
        return TypedResults.Ok(new SearchResponse(result.Results, result.Timings));
    }

    private static async Task<Ok<AnswerResult>> AskAsync(AskBody body, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var result = await mediator.Send(new AskRequest(context.GetPrincipal(), body.Question ?? string.Empty, body.TopK), cancellationToken);
        return TypedResults.Ok(result);
    }
}
