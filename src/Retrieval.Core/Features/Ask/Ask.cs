using System.Runtime.CompilerServices;
using Mediator;
using Retrieval.Core.Answering;
using Retrieval.Core.Graph;
using Retrieval.Core.Query;
using Retrieval.Core.Security;

namespace Retrieval.Core.Features.Ask;

/// <summary>
/// Answer a question from the documents the caller may read, with citations and verification (role reader).
/// <paramref name="Mode"/>: the retrievers that find the sources, as for search (null: hybrid); <c>global</c> answers
/// corpus-wide questions from community summaries.
/// </summary>
public sealed record AskRequest(Principal Principal, string Question, int? TopK, string? Mode = null) : IRequest<AnswerResult>;

public sealed class AskHandler : IRequestHandler<AskRequest, AnswerResult>
{
    private readonly AskService _ask;
    private readonly GlobalGraphAnswerer _global;

    public AskHandler(AskService ask, GlobalGraphAnswerer global)
    {
        _ask = ask;
        _global = global;
    }

    public async ValueTask<AnswerResult> Handle(AskRequest request, CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Reader);
        if (RetrievalModes.IsGlobal(request.Mode))
        {
            return await _global.AskAsync(request.Principal, request.Question, cancellationToken).ConfigureAwait(false);
        }

        var mode = RetrievalModes.Parse(request.Mode);
        return await _ask.AskAsync(request.Principal, request.Question, request.TopK, mode, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The same answer as it is written: <see cref="AskDelta"/> pieces, then one <see cref="AskCompleted"/> (role reader).</summary>
public sealed record AskStreamRequest(Principal Principal, string Question, int? TopK, string? Mode = null) : IStreamRequest<AskEvent>;

public sealed class AskStreamHandler : IStreamRequestHandler<AskStreamRequest, AskEvent>
{
    private readonly AskService _ask;
    private readonly GlobalGraphAnswerer _global;

    public AskStreamHandler(AskService ask, GlobalGraphAnswerer global)
    {
        _ask = ask;
        _global = global;
    }

    public async IAsyncEnumerable<AskEvent> Handle(AskStreamRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        request.Principal.Require(RetrievalRoles.Reader);
        if (RetrievalModes.IsGlobal(request.Mode))
        {
            // Summaries are composed whole (and cached), so the global answer arrives as one piece.
            var result = await _global.AskAsync(request.Principal, request.Question, cancellationToken).ConfigureAwait(false);
            if (!result.Abstained)
            {
                yield return new AskDelta(result.Answer);
            }

            yield return new AskCompleted(result);
            yield break;
        }

        var mode = RetrievalModes.Parse(request.Mode);
        await foreach (var item in _ask.StreamAsync(request.Principal, request.Question, request.TopK, mode, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }
}
