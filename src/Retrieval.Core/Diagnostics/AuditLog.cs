using Microsoft.Extensions.Logging;

namespace Retrieval.Core.Diagnostics;

/// <summary>
/// Structured audit events (logger category <c>Retrieval.Audit</c>): who did what, when, and which document ids
/// were returned or changed. Never query text or document content unless explicitly enabled.
/// </summary>
public static partial class AuditLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, EventName = "audit.search",
        Message = "audit search tenant={Tenant} user={User} mode={Mode} results={Count} documents={DocumentIds} query={Query}")]
    public static partial void Search(ILogger logger, string tenant, string user, string mode, int count, string documentIds, string? query);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, EventName = "audit.ask",
        Message = "audit ask tenant={Tenant} user={User} abstained={Abstained} reason={Reason} support={Support} cited={DocumentIds} question={Question}")]
    public static partial void Ask(ILogger logger, string tenant, string user, bool abstained, string? reason, double support, string documentIds, string? question);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Information, EventName = "audit.ingest",
        Message = "audit ingest tenant={Tenant} user={User} document={DocumentId} version={Version} unchanged={Unchanged}")]
    public static partial void Ingest(ILogger logger, string tenant, string user, string documentId, int version, bool unchanged);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Information, EventName = "audit.delete",
        Message = "audit delete tenant={Tenant} user={User} document={DocumentId}")]
    public static partial void Delete(ILogger logger, string tenant, string user, string documentId);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Information, EventName = "audit.job",
        Message = "audit job {Action} tenant={Tenant} user={User} job={JobId}")]
    public static partial void Job(ILogger logger, string action, string tenant, string user, string jobId);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Warning, EventName = "audit.denied",
        Message = "audit denied {Operation} tenant={Tenant} user={User}: {Reason}")]
    public static partial void Denied(ILogger logger, string operation, string tenant, string user, string reason);

    [LoggerMessage(EventId = 9007, Level = LogLevel.Warning, EventName = "audit.token_rejected",
        Message = "audit token rejected path={Path} remote={RemoteAddress} reason={Reason}")]
    public static partial void TokenRejected(ILogger logger, string path, string? remoteAddress, string reason);
}
