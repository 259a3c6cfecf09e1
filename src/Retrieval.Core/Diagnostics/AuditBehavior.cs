using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Answering;
using Retrieval.Core.Features.Ask;
using Retrieval.Core.Features.Documents;
using Retrieval.Core.Features.Jobs;
using Retrieval.Core.Features.Search;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Jobs;
using Retrieval.Core.Query;

namespace Retrieval.Core.Diagnostics;

/// <summary>
/// Writes an audit event for every use case that reads or changes documents, whatever the transport (REST, CLI
/// local mode, worker), as a Mediator pipeline step so no handler can forget it.
/// </summary>
public sealed class AuditBehavior<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    private readonly ILogger _logger;
    private readonly IOptionsMonitor<AuditOptions> _options;

    public AuditBehavior(ILoggerFactory loggers, IOptionsMonitor<AuditOptions> options)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        _logger = loggers.CreateLogger(AuditOptions.Category);
        _options = options;
    }

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        TResponse response;
        try
        {
            response = await next(message, cancellationToken).ConfigureAwait(false);
        }
        catch (ForbiddenException ex)
        {
            if (Caller(message) is { } caller)
            {
                AuditLog.Denied(_logger, typeof(TMessage).Name, caller.Tenant, caller.UserId, ex.Message);
            }

            throw;
        }

        Write(message, response);
        return response;
    }

    private void Write(TMessage message, TResponse response)
    {
        var text = _options.CurrentValue.IncludeQueryText;
        switch (message, response)
        {
            case (SearchRequest search, SearchResult result):
                AuditLog.Search(_logger, search.Principal.Tenant, search.Principal.UserId, RetrievalModes.Canonical(search.Mode),
                    result.Results.Count, Ids(result.Results.Select(r => r.DocumentId)), text ? search.Query : null);
                break;
            case (AskRequest ask, AnswerResult answer):
                AuditLog.Ask(_logger, ask.Principal.Tenant, ask.Principal.UserId, answer.Abstained, answer.Reason, answer.Support.Ratio,
                    Ids(answer.Citations.Select(c => c.DocumentId)), text ? ask.Question : null);
                break;
            case (UpsertDocumentRequest upsert, IngestResult result):
                AuditLog.Ingest(_logger, upsert.Principal.Tenant, upsert.Principal.UserId, result.DocumentId, result.Version, result.Unchanged);
                break;
            case (DeleteDocumentRequest delete, _):
                AuditLog.Delete(_logger, delete.Principal.Tenant, delete.Principal.UserId, delete.Id);
                break;
            case (SubmitJobRequest submit, SubmitJobResult { JobId: { } jobId }):
                AuditLog.Job(_logger, "submitted", submit.Principal.Tenant, submit.Principal.UserId, jobId);
                break;
            case (CancelJobRequest cancel, JobStatus job):
                AuditLog.Job(_logger, "cancelled", cancel.Principal.Tenant, cancel.Principal.UserId, job.Id);
                break;
        }
    }

    private static Security.Principal? Caller(TMessage message) => message switch
    {
        SearchRequest m => m.Principal,
        AskRequest m => m.Principal,
        UpsertDocumentRequest m => m.Principal,
        DeleteDocumentRequest m => m.Principal,
        GetDocumentRequest m => m.Principal,
        SubmitJobRequest m => m.Principal,
        GetJobRequest m => m.Principal,
        ListJobsRequest m => m.Principal,
        CancelJobRequest m => m.Principal,
        _ => null,
    };

    private static string Ids(IEnumerable<string> ids) => string.Join(",", ids.Distinct(StringComparer.Ordinal));
}
