using Microsoft.Extensions.Logging;

namespace Retrieval.Core.Answering;

internal static partial class AnswerLog
{
    [LoggerMessage(1, LogLevel.Warning, "Answer generator {Generator} unavailable ({Error}); {Action}")]
    public static partial void GeneratorUnavailable(this ILogger logger, string generator, string error, string action);

    [LoggerMessage(2, LogLevel.Debug, "Answer abstained: {Reason} (relevance {Relevance:0.000}, support {Support:0.000})")]
    public static partial void Abstained(this ILogger logger, string reason, double relevance, double support);

    [LoggerMessage(3, LogLevel.Debug, "Verifier removed {Removed} unsupported sentence(s) of {Total}")]
    public static partial void SentencesRemoved(this ILogger logger, int removed, int total);
}
