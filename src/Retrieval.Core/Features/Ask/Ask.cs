using Mediator;
using Retrieval.Core.Answering;
using Retrieval.Core.Security;

namespace Retrieval.Core.Features.Ask;

/// <summary>Answer a question from the documents the caller may read, with citations and verification (role reader).</summary>
public sealed record AskRequest(Principal Principal, string Question, int? TopK) : IRequest<AnswerResult>;

public sealed class AskHandler : IRequestHandler<AskRequest, AnswerResult>
{
    private readonly AskService _ask;

    public AskHandler(AskService ask) => _ask = ask;

    public async ValueTask<AnswerResult> Handle(AskRequest request, CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Reader);
        return await _ask.AskAsync(request.Principal, request.Question, request.TopK, cancellationToken).ConfigureAwait(false);
    }
}
