using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Retrieval.Api.Auth;
using Retrieval.Core.Features.Graph;
using Retrieval.Core.Graph;

namespace Retrieval.Api.Endpoints;

/// <summary>The knowledge graph as the caller may see it: only entities, aliases, relations and counts backed by readable chunks.</summary>
internal static class GraphApi
{
    public static RouteGroupBuilder MapGraphApi(this RouteGroupBuilder group)
    {
        var graph = group.MapGroup("/graph").RequireAuthorization(AuthenticationSetup.ReaderPolicy).WithTags("Knowledge graph");
        graph.MapGet("/entities", SearchAsync).WithName("SearchEntities")
            .WithSummary("Entities named in the query (exact name or alias), then those whose name starts with it.");
        graph.MapGet("/entities/{id}", GetAsync).WithName("GetEntity")
            .WithSummary("An entity's aliases, strongest neighbours and supporting chunks; 404 when missing or not visible to the caller.");
        graph.MapGet("/communities", CommunitiesAsync).WithName("ListCommunities")
            .WithSummary("Communities of the entity graph as the caller may see it, each summarized from the caller's readable chunks (citing them).");
        return group;
    }

    private static async Task<Ok<CommunityList>> CommunitiesAsync(
        string? query, int? limit, bool? summaries, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var communities = await mediator.Send(new ListCommunitiesRequest(context.GetPrincipal(), query, limit, summaries), cancellationToken);
        return TypedResults.Ok(communities);
    }

    private static async Task<Ok<EntityList>> SearchAsync(string? query, int? limit, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var entities = await mediator.Send(new SearchEntitiesRequest(context.GetPrincipal(), query ?? string.Empty, limit), cancellationToken);
        return TypedResults.Ok(new EntityList(entities));
    }

    private static async Task<Ok<EntityDetail>> GetAsync(string id, int? neighbors, int? chunks, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var entity = await mediator.Send(new GetEntityRequest(context.GetPrincipal(), id, neighbors, chunks), cancellationToken);
        return TypedResults.Ok(entity);
    }
}

public sealed record EntityList(IReadOnlyList<GraphEntity> Entities);
