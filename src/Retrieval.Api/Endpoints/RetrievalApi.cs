namespace Retrieval.Api.Endpoints;

internal static class RetrievalApi
{
    /// <summary>The v1 REST surface: every route requires a validated bearer token (roles per group).</summary>
    public static IEndpointRouteBuilder MapRetrievalApi(this IEndpointRouteBuilder app, LimitsOptions limits)
    {
        var v1 = app.MapGroup("/v1").RequireAuthorization().ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        v1.MapQueryApi(limits.MaxQueryRequestBytes);
        v1.MapDocumentsApi();
        v1.MapJobsApi();
        v1.MapGraphApi();
        return app;
    }
}
