using System.ComponentModel.DataAnnotations;

namespace Retrieval.Core.Graph;

/// <summary>
/// Configuration section <c>Retrieval:Graph:Llm</c>: LLM graph extraction (<c>Retrieval:Graph:Extraction=llm</c>), its
/// token budget and cost estimate. The endpoint, model, timeouts and retries are those of <c>Retrieval:Llm</c>.
/// </summary>
public sealed class GraphLlmOptions
{
    public const string Section = "Retrieval:Graph:Llm";

    public const string FailOverBudget = "fail";
    public const string FastOverBudget = "fast";

    /// <summary>
    /// Estimated tokens (prompt plus the completion cap, for every chunk, cache hits included) one ingestion job may cost at
    /// most; a larger job is refused when it is submitted (413, nothing queued). 0: no limit.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxTokensPerJob { get; set; }

    /// <summary>Estimated tokens the chunks of one document that miss the cache may cost at most; 0: no limit.</summary>
    [Range(0, long.MaxValue)]
    public long MaxTokensPerDocument { get; set; }

    /// <summary>
    /// A document over <see cref="MaxTokensPerDocument"/>: <c>fail</c> (the document fails on its job with the reason) or
    /// <c>fast</c> (its graph is built by fast extraction, without LLM calls).
    /// </summary>
    [RegularExpression("^(fail|fast)$", ErrorMessage = "OverBudget must be 'fail' or 'fast'.")]
    public string OverBudget { get; set; } = FailOverBudget;

    /// <summary>Completion tokens one chunk's extraction may use (sent as max_tokens; the estimate counts all of it).</summary>
    [Range(64, 32_768)]
    public int MaxCompletionTokens { get; set; } = 1_024;

    /// <summary>Price per 1,000 prompt tokens (any currency); with it the estimate includes a cost.</summary>
    [Range(0.0, 1_000_000.0)]
    public double? PricePer1kPromptTokens { get; set; }

    /// <summary>Price per 1,000 completion tokens (same currency as <see cref="PricePer1kPromptTokens"/>).</summary>
    [Range(0.0, 1_000_000.0)]
    public double? PricePer1kCompletionTokens { get; set; }

    /// <summary>Chunks of one document extracted concurrently.</summary>
    [Range(1, 64)]
    public int MaxParallelRequests { get; set; } = 4;

    /// <summary>Entities kept per chunk at most (the first ones the model lists).</summary>
    [Range(1, 1_000)]
    public int MaxEntitiesPerChunk { get; set; } = 64;

    /// <summary>Relations kept per chunk at most.</summary>
    [Range(0, 4_000)]
    public int MaxRelationsPerChunk { get; set; } = 128;

    /// <summary>Ask for a JSON object reply (<c>response_format</c>); turn off for servers that reject the parameter.</summary>
    public bool JsonMode { get; set; } = true;
}
