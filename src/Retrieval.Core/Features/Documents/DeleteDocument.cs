using Mediator;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Core.Features.Documents;

/// <summary>Delete a document and everything derived from it (role ingestor, within the caller's tenant).</summary>
public sealed record DeleteDocumentRequest(Principal Principal, string Id) : IRequest;

public sealed class DeleteDocumentHandler : IRequestHandler<DeleteDocumentRequest>
{
    private readonly IDocumentStore _store;

    public DeleteDocumentHandler(IDocumentStore store) => _store = store;

    public async ValueTask<Unit> Handle(DeleteDocumentRequest request, CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Ingestor);
        if (!await _store.DeleteAsync(request.Principal.Tenant, request.Id, cancellationToken).ConfigureAwait(false))
        {
            throw new NotFoundException($"Document '{request.Id}' was not found.");
        }

        return Unit.Value;
    }
}
