using System.Runtime.CompilerServices;
using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Answering;
using Retrieval.Core.Features.Ask;

namespace Retrieval.Core.Diagnostics;

/// <summary>The streaming counterpart of <see cref="AuditBehavior{TMessage, TResponse}"/>: audits a streamed answer when its final event passes.</summary>
public sealed class AuditStreamBehavior<TMessage, TResponse> : IStreamPipelineBehavior<TMessage, TResponse>
    where TMessage : IStreamMessage
{
    private readonly ILogger _logger;
    private readonly IOptionsMonitor<AuditOptions> _options;

    public AuditStreamBehavior(ILoggerFactory loggers, IOptionsMonitor<AuditOptions> options)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        _logger = loggers.CreateLogger(AuditOptions.Category);
        _options = options;
    }

    public async IAsyncEnumerable<TResponse> Handle(TMessage message, StreamHandlerDelegate<TMessage, TResponse> next, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        await foreach (var item in next(message, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (message is AskStreamRequest ask && item is AskCompleted { Result: var answer })
            {
                AuditLog.Ask(_logger, ask.Principal.Tenant, ask.Principal.UserId, answer.Abstained, answer.Reason, answer.Support.Ratio,
                    string.Join(",", answer.Citations.Select(c => c.DocumentId).Distinct(StringComparer.Ordinal)),
                    _options.CurrentValue.IncludeQueryText ? ask.Question : null);
            }

            yield return item;
        }
    }
}
