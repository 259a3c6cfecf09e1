using Mediator;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Security;

namespace Retrieval.Core.Features.Documents;

/// <summary>Ingest one document synchronously (role ingestor). Same content, title, ACL and metadata: no-op.</summary>
public sealed record UpsertDocumentRequest(Principal Principal, DocumentInput Input) : IRequest<IngestResult>;

public sealed class UpsertDocumentHandler : IRequestHandler<UpsertDocumentRequest, IngestResult>
{
    private readonly DocumentIngestor _ingestor;

    public UpsertDocumentHandler(DocumentIngestor ingestor) => _ingestor = ingestor;

    public async ValueTask<IngestResult> Handle(UpsertDocumentRequest request, CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Ingestor);
        return await _ingestor.IngestAsync(request.Principal.Tenant, request.Input, cancellationToken).ConfigureAwait(false);
    }
}
