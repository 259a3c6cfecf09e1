using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using Retrieval.Core.Answering;
using Retrieval.Core.Diagnostics;

namespace Retrieval.Llm;

/// <summary>
/// Answers through Semantic Kernel's OpenAI chat completion against any OpenAI-compatible endpoint. The HTTP client
/// carries the retry, attempt-timeout and circuit-breaker pipeline; this class adds the overall deadline and turns
/// every failure (timeout, HTTP error, open circuit, malformed reply) into <see cref="AnswerGeneratorUnavailableException"/>,
/// on which the answer pipeline falls back to the extractive answerer.
/// </summary>
public sealed partial class LlmAnswerGenerator : IAnswerGenerator
{
    public const string GeneratorName = "llm";

    private readonly IChatCompletionService _chat;
    private readonly IOptionsMonitor<LlmOptions> _options;
    private readonly ILogger<LlmAnswerGenerator> _logger;

    public LlmAnswerGenerator(IChatCompletionService chat, IOptionsMonitor<LlmOptions> options, ILogger<LlmAnswerGenerator> logger)
    {
        _chat = chat;
        _options = options;
        _logger = logger;
    }

    public string Name => GeneratorName;

    public async Task<string> GenerateAsync(AnswerPrompt prompt, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.answer.llm");
        try
        {
            var reply = await _chat.GetChatMessageContentAsync(AnswerPromptBuilder.Build(prompt, options.MaxSentences), Settings(options), kernel: null, deadline.Token)
                .ConfigureAwait(false);
            return reply.Content ?? throw new AnswerGeneratorUnavailableException("The LLM reply has no content.");
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(ex, deadline.IsCancellationRequested);
        }
    }

    public async IAsyncEnumerable<string> StreamAsync(AnswerPrompt prompt, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.answer.llm");
        var stream = _chat.GetStreamingChatMessageContentsAsync(AnswerPromptBuilder.Build(prompt, options.MaxSentences), Settings(options), kernel: null, deadline.Token);
        IAsyncEnumerator<StreamingChatMessageContent>? pieces = null;
        try
        {
            while (true)
            {
                string? text;
                try
                {
                    pieces ??= stream.GetAsyncEnumerator(deadline.Token);
                    if (!await pieces.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    text = pieces.Current.Content;
                }
                catch (Exception ex) when (IsFailure(ex, cancellationToken))
                {
                    throw Unavailable(ex, deadline.IsCancellationRequested);
                }

                if (!string.IsNullOrEmpty(text))
                {
                    yield return text;
                }
            }
        }
        finally
        {
            if (pieces is not null)
            {
                await pieces.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static OpenAIPromptExecutionSettings Settings(LlmOptions options) => new()
    {
        MaxTokens = options.MaxTokens,
        Temperature = options.Temperature,
    };

    /// <summary>Everything but the caller's own cancellation is the LLM failing.</summary>
    private static bool IsFailure(Exception ex, CancellationToken caller) =>
        !(ex is OperationCanceledException && caller.IsCancellationRequested) && ex is not AnswerGeneratorUnavailableException;

    private AnswerGeneratorUnavailableException Unavailable(Exception ex, bool timedOut)
    {
        var what = timedOut ? "timed out" : ex.GetType().Name;
        Log.Failed(_logger, what, ex);
        return new AnswerGeneratorUnavailableException($"LLM request failed: {what}", ex);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "LLM answer failed: {What}")]
        public static partial void Failed(ILogger logger, string what, Exception exception);
    }
}
