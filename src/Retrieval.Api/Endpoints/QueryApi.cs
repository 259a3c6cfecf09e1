using System.Net.ServerSentEvents;
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
            .WithSummary("Hybrid (dense + BM25 + graph), or any retriever or + combination of them, or global (community summaries), over the documents the caller may read.");
        query.MapPost("/ask", AskAsync).WithName("Ask")
            .WithSummary("Answer a question with numbered citations; every sentence is verified against what it cites. stream: true answers as server-sent events.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        return group;
    }

    private static async Task<Ok<SearchResponse>> SearchAsync(SearchBody body, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var result = await mediator.Send(new SearchRequest(context.GetPrincipal(), body.Query ?? string.Empty, body.TopK, body.Mode), cancellationToken);
        return TypedResults.Ok(new SearchResponse(result.Results, result.Timings) { Communities = result.Communities });
    }

    private static async Task<Results<Ok<AnswerResult>, ServerSentEventsResult<object>>> AskAsync(
        AskBody body, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var principal = context.GetPrincipal();
        var question = body.Question ?? string.Empty;
        if (body.Stream != true)
        {
            return TypedResults.Ok(await mediator.Send(new AskRequest(principal, question, body.TopK, body.Mode), cancellationToken));
        }

        // The first event is awaited here, so a bad request or a missing role is still a problem-details response,
        // not an event stream that breaks off.
        var events = mediator.CreateStream(new AskStreamRequest(principal, question, body.TopK, body.Mode), cancellationToken).GetAsyncEnumerator(cancellationToken);
        bool any;
        try
        {
            any = await events.MoveNextAsync();
        }
        catch
        {
            await events.DisposeAsync();
            throw;
        }

        return TypedResults.ServerSentEvents(AskEvents(events, any));
    }

    /// <summary>SSE events: <c>delta</c> ({"text": …}) as the answer is written, then <c>final</c> (the verified answer result).</summary>
    private static async IAsyncEnumerable<SseItem<object>> AskEvents(IAsyncEnumerator<AskEvent> events, bool any)
    {
        await using (events)
        {
            for (var more = any; more; more = await events.MoveNextAsync())
            {
                yield return events.Current switch
                {
                    AskDelta delta => new SseItem<object>(new AskDeltaEvent(delta.Text), "delta"),
                    AskCompleted done => new SseItem<object>(done.Result, "final"),
                    _ => throw new InvalidOperationException("Unknown answer event."),
                };
            }
        }
    }
}

/// <summary>The payload of a <c>delta</c> event.</summary>
public sealed record AskDeltaEvent(string Text);
