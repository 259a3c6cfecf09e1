using Microsoft.Extensions.Logging;

namespace Retrieval.Storage.Embedded;

internal static partial class GraphSnapshotLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug,
        Message = "Graph subgraph copy reloaded in the background: {Mentions} mentions, {Chunks} chunks, in {ElapsedMs} ms")]
    public static partial void Installed(ILogger logger, int mentions, int chunks, long elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug,
        Message = "Graph subgraph copy not installed: the store was written while it loaded ({ElapsedMs} ms); the next read starts another reload")]
    public static partial void Superseded(ILogger logger, long elapsedMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "Graph subgraph copy not kept: {Mentions} mentions exceed Retrieval:Graph:InMemorySubgraphMaxMentions ({MaxMentions}); subgraphs are read in SQL")]
    public static partial void TooLarge(ILogger logger, long mentions, int maxMentions);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "Graph subgraph copy reload failed; subgraphs are read in SQL and a later read retries")]
    public static partial void Failed(ILogger logger, Exception exception);
}
