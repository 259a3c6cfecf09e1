using Mediator;
using Retrieval.Core.Documents;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Core.Features.Documents;

/// <summary>A document's metadata; "not found" also when the caller may not read it (never distinguished).</summary>
public sealed record GetDocumentRequest(Principal Principal, string Id) : IRequest<DocumentRecord>;

public sealed class GetDocumentHandler : IRequestHandler<GetDocumentRequest, DocumentRecord>
{
    private readonly IDocumentStore _store;

    public GetDocumentHandler(IDocumentStore store) => _store = store;

    public async ValueTask<DocumentRecord> Handle(GetDocumentRequest request, CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Reader, RetrievalRoles.Ingestor);
        return await _store.GetReadableAsync(request.Principal.ToAclFilter(), request.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundException($"Document '{request.Id}' was not found.");
    }
}
