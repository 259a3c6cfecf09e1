using System.Text;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using Retrieval.Api.Auth;
using Retrieval.Core;
using Retrieval.Core.Features.Documents;
using Retrieval.Core.Features.Jobs;
using Retrieval.Core.Ingestion;

namespace Retrieval.Api.Endpoints;

internal static class DocumentsApi
{
    public static RouteGroupBuilder MapDocumentsApi(this RouteGroupBuilder group)
    {
        var documents = group.MapGroup("/documents").WithTags("Documents");
        documents.MapPost("/", CreateAsync).RequireAuthorization(AuthenticationSetup.IngestorPolicy).WithName("UpsertDocument")
            .WithSummary("Ingest one document synchronously: JSON {id,title,text,contentType,acl,metadata} or a multipart upload (file, id, acl, title).")
            .Accepts<DocumentBody>("application/json", "multipart/form-data").DisableAntiforgery();
        documents.MapGet("/{**id}", GetAsync).WithName("GetDocument")
            .WithSummary("A document's metadata; 404 when it does not exist or the caller may not read it.");
        documents.MapDelete("/{**id}", DeleteAsync).RequireAuthorization(AuthenticationSetup.IngestorPolicy).WithName("DeleteDocument")
            .WithSummary("Delete a document and everything derived from it.");
        return group;
    }

    /// <summary>201 with the document's location when a version was written; 200 when the same document was already stored (nothing written).</summary>
    private static async Task<Results<Created<DocumentCreated>, Ok<DocumentCreated>>> CreateAsync(HttpRequest request, IMediator mediator, CancellationToken cancellationToken)
    {
        var input = request.HasFormContentType
            ? await ReadMultipartAsync(request, cancellationToken)
            : ReadJson(await ReadJsonBodyAsync(request, cancellationToken));
        var result = await mediator.Send(new UpsertDocumentRequest(request.HttpContext.GetPrincipal(), input), cancellationToken);
        var body = new DocumentCreated(result.DocumentId, result.Version, result.Chunks, result.Unchanged);
        return result.Unchanged
            ? TypedResults.Ok(body)
            : TypedResults.Created($"/v1/documents/{string.Join('/', result.DocumentId.Split('/').Select(Uri.EscapeDataString))}", body);
    }

    private static async Task<DocumentBody> ReadJsonBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        return await request.ReadFromJsonAsync<DocumentBody>(cancellationToken)
            ?? throw new ValidationException("The request body is empty.");
    }

    private static DocumentInput ReadJson(DocumentBody body)
    {
        if (body.Text is null)
        {
            throw new ValidationException("'text' is required.");
        }

        var id = body.Id ?? throw new ValidationException("'id' is required.");
        var contentType = body.ContentType ?? "text/plain";
        return new DocumentInput(id, id, body.Title, Encoding.UTF8.GetBytes(body.Text), contentType, body.Acl ?? [], body.Metadata ?? new Dictionary<string, string>());
    }

    private static async Task<DocumentInput> ReadMultipartAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var form = await request.ReadFormAsync(cancellationToken);
        var file = form.Files.Count == 1 ? form.Files[0] : throw new ValidationException("Upload exactly one file (form field 'file').");
        // The name is checked even when an id is given: it becomes the document's source and picks the parser.
        var name = SubmitJobHandler.UploadName(file.FileName);
        var id = form["id"].FirstOrDefault() ?? name;
        using var stream = new MemoryStream();
        await file.CopyToAsync(stream, cancellationToken);
        var acl = form["acl"].SelectMany(a => (a ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        return new DocumentInput(id, name, form["title"].FirstOrDefault(), stream.ToArray(), NullIfGeneric(file.ContentType), acl, new Dictionary<string, string>());
    }

    /// <summary>Browsers and curl send application/octet-stream for anything: let the file extension decide then.</summary>
    internal static string? NullIfGeneric(string? contentType) =>
        string.IsNullOrWhiteSpace(contentType) || contentType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase) ? null : contentType;

    private static async Task<Ok<DocumentResponse>> GetAsync(string id, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        var document = await mediator.Send(new GetDocumentRequest(context.GetPrincipal(), id), cancellationToken);
        return TypedResults.Ok(DocumentResponse.From(document));
    }

    private static async Task<NoContent> DeleteAsync(string id, HttpContext context, IMediator mediator, CancellationToken cancellationToken)
    {
        await mediator.Send(new DeleteDocumentRequest(context.GetPrincipal(), id), cancellationToken);
        return TypedResults.NoContent();
    }
}
