using System.Runtime.CompilerServices;
using Mediator;
using Retrieval.Core.Answering;
using Retrieval.Core.Query;
using Retrieval.Core.Security;

namespace Retrieval.Core.Features.Ask;

/// <summary>
/// Answer a question from the documents the caller may read, with citations and verification (role reader).
/// <paramref name="Mode"/>: the retrievers that find the sources, as for search (null: hybrid).
/// </summary>
public sealed record AskRequest(Principal Principal, string Question, int? TopK, string? Mode = null) : IRequest<AnswerResult>;

public sealed class AskHandler : IRequestHandler<AskRequest, AnswerResult>
{
    private readonly AskService _ask;

    public AskHandler(AskService ask) => _ask = ask;

    public async ValueTask<AnswerResult> Handle(AskRequest request, CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Reader);
        var mode = RetrievalModes.Parse(request.Mode);
        return await _ask.AskAsync(request.Principal, request.Question, request.TopK, mode, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The same answer as it is written: <see cref="AskDelta"/> pieces, then one <see cref="AskCompleted"/> (role reader).</summary>
public sealed record AskStreamRequest(Principal Principal, string Question, int? TopK, string? Mode = null) : IStreamRequest<AskEvent>;

public sealed class AskStreamHandler : IStreamRequestHandler<AskStreamRequest, AskEvent>
{
    private readonly AskService _ask;

    public AskStreamHandler(AskService ask) => _ask = ask;

    public async IAsyncEnumerable<AskEvent> Handle(AskStreamRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Reader);
        var mode = RetrievalModes.Parse(request.Mode);
        await foreach (var item in _ask.StreamAsync(request.Principal, request.Question, request.TopK, mode, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }
}
