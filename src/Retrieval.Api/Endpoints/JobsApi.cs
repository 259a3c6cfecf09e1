using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Retrieval.Api.Auth;
using Retrieval.Core;
using Retrieval.Core.Features.Jobs;

namespace Retrieval.Api.Endpoints;

internal static class JobsApi
{
    public static RouteGroupBuilder MapJobsApi(this RouteGroupBuilder group)
    {
        var jobs = group.MapGroup("/ingest/jobs").RequireAuthorization(AuthenticationSetup.IngestorPolicy).WithTags("Ingestion jobs");
        jobs.MapPost("/", SubmitAsync).WithName("SubmitJob").DisableAntiforgery()
            .WithSummary("Queue an ingestion job: JSON {paths,acl,metadata} (server paths under the allowed roots) or multipart files + acl fields. "
                + "With LLM graph extraction the reply carries the token/cost estimate; ?dryRun=true returns only the estimate (200) and queues nothing; "
                + "a job over Retrieval:Graph:Llm:MaxTokensPerJob is refused with 413.")
            .Accepts<JobBody>("application/json", "multipart/form-data");
        jobs.MapGet("/", ListAsync).WithName("ListJobs").WithSummary("Your jobs, newest first (admins see the whole tenant's).");
        jobs.MapGet("/{id}", GetAsync).WithName("GetJob").WithSummary("A job's state, counts and per-document errors.");
        jobs.MapPost("/{id}/cancel", CancelAsync).WithName("CancelJob").WithSummary("Cancel a queued or running job; 409 when it already finished.");
        return group;
    }

    private static async Task<Results<Accepted<JobAccepted>, Ok<JobEstimate>>> SubmitAsync(
        HttpRequest request, IMediator mediator, bool? dryRun, CancellationToken cancellationToken)
    {
        var principal = request.HttpContext.GetPrincipal();
        SubmitJobRequest submit;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            var files = new List<UploadedFile>(form.Files.Count);
            foreach (var file in form.Files)
            {
                using var stream = new MemoryStream();
                await file.CopyToAsync(stream, cancellationToken);
                files.Add(new UploadedFile(file.FileName, DocumentsApi.NullIfGeneric(file.ContentType), stream.ToArray()));
            }

            var acl = form["acl"].SelectMany(a => (a ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            submit = new SubmitJobRequest(principal, [], files, acl, null);
        }
        else if (request.HasJsonContentType())
        {
            var body = await request.ReadFromJsonAsync<JobBody>(cancellationToken) ?? throw new ValidationException("The request body is empty.");
            submit = new SubmitJobRequest(principal, body.Paths ?? [], [], body.Acl ?? [], body.Metadata);
        }
        else
        {
            throw new ValidationException("Send the job as application/json or multipart/form-data.");
        }

        var result = await mediator.Send(submit with { DryRun = dryRun == true }, cancellationToken);
        if (result.JobId is not { } id)
        {
            return TypedResults.Ok(new JobEstimate(result.GraphEstimate));
        }

        return TypedResults.Accepted($"/v1/ingest/jobs/{id}", new JobAccepted(id, result.GraphEstimate));
    }

    private static async Task<Ok<JobList>> ListAsync(HttpContext context, IMediator mediator, int? limit, CancellationToken cancellationToken)
    {
        var jobs = await mediator.Send(new ListJobsRequest(context.GetPrincipal(), limit ?? 50), cancellationToken);
        return TypedResults.Ok(new JobList(jobs.Select(JobResponse.From).ToList()));
    }

    private static async Task<Ok<JobResponse>> GetAsync(string id, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var job = await mediator.Send(new GetJobRequest(context.GetPrincipal(), id), cancellationToken);
        return TypedResults.Ok(JobResponse.From(job));
    }

    private static async Task<Ok<JobResponse>> CancelAsync(string id, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var job = await mediator.Send(new CancelJobRequest(context.GetPrincipal(), id), cancellationToken);
        return TypedResults.Ok(JobResponse.From(job));
    }
}
