using System.Runtime.CompilerServices;
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

/// <summary>The same answer as it is written: <see cref="AskDelta"/> pieces, then one <see cref="AskCompleted"/> (role reader).</summary>
public sealed record AskStreamRequest(Principal Principal, string Question, int? TopK) : IStreamRequest<AskEvent>;

public sealed class AskStreamHandler : IStreamRequestHandler<AskStreamRequest, AskEvent>
{
    private readonly AskService _ask;

    public AskStreamHandler(AskService ask) => _ask = ask;

    public async IAsyncEnumerable<AskEvent> Handle(AskStreamRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Reader);
        await foreach (var item in _ask.StreamAsync(request.Principal, request.Question, request.TopK, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }
}
