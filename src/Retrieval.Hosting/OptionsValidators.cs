using Microsoft.Extensions.Options;
using Retrieval.Core.Options;

namespace Retrieval.Hosting;

/// <summary>Cross-field rules the data annotations cannot express; messages name the configuration path.</summary>
internal sealed class QueryOptionsValidator : IValidateOptions<QueryOptions>
{
    public ValidateOptionsResult Validate(string? name, QueryOptions options)
    {
        var errors = new List<string>();
        if (options.DefaultTopK > options.MaxTopK)
        {
            errors.Add($"{QueryOptions.Section}:DefaultTopK ({options.DefaultTopK}) must not exceed {QueryOptions.Section}:MaxTopK ({options.MaxTopK}).");
        }

        if (options.DenseWeight <= 0 && options.LexicalWeight <= 0)
        {
            errors.Add($"{QueryOptions.Section}:DenseWeight and LexicalWeight cannot both be 0.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

internal sealed class IngestionOptionsValidator : IValidateOptions<IngestionOptions>
{
    private readonly IOptionsMonitor<EmbeddingOptions> _embeddings;

    public IngestionOptionsValidator(IOptionsMonitor<EmbeddingOptions> embeddings) => _embeddings = embeddings;

    public ValidateOptionsResult Validate(string? name, IngestionOptions options)
    {
        var errors = new List<string>();
        var maxTokens = _embeddings.CurrentValue.MaxTokens;
        if (options.ChunkTokens > maxTokens - 2)
        {
            errors.Add($"{IngestionOptions.Section}:ChunkTokens ({options.ChunkTokens}) must leave room for [CLS]/[SEP] within {EmbeddingOptions.Section}:MaxTokens ({maxTokens}); longer chunks would be truncated before embedding.");
        }

        if (options.OverlapTokens >= options.ChunkTokens)
        {
            errors.Add($"{IngestionOptions.Section}:OverlapTokens ({options.OverlapTokens}) must be smaller than ChunkTokens ({options.ChunkTokens}).");
        }

        if (options.ParseTimeout > options.DocumentTimeout)
        {
            errors.Add($"{IngestionOptions.Section}:ParseTimeout ({options.ParseTimeout}) must not exceed DocumentTimeout ({options.DocumentTimeout}), which includes the parse.");
        }

        foreach (var root in options.AllowedRoots)
        {
            if (!Path.IsPathFullyQualified(root))
            {
                errors.Add($"{IngestionOptions.Section}:AllowedRoots entry '{root}' must be an absolute path.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>LLM graph extraction needs an LLM: without one, start-up fails instead of silently building no LLM graph.</summary>
internal sealed class GraphOptionsValidator : IValidateOptions<Retrieval.Core.Graph.GraphOptions>
{
    private readonly IOptionsMonitor<Retrieval.Llm.LlmOptions> _llm;

    public GraphOptionsValidator(IOptionsMonitor<Retrieval.Llm.LlmOptions> llm) => _llm = llm;

    public ValidateOptionsResult Validate(string? name, Retrieval.Core.Graph.GraphOptions options)
    {
        var llm = _llm.CurrentValue;
        if (options.Extraction == Retrieval.Core.Graph.GraphOptions.LlmExtraction && (!llm.Enabled || string.IsNullOrWhiteSpace(llm.Model)))
        {
            return ValidateOptionsResult.Fail(
                $"{Retrieval.Core.Graph.GraphOptions.Section}:Extraction is 'llm' but no LLM is configured: set {Retrieval.Llm.LlmOptions.Section}:Endpoint and {Retrieval.Llm.LlmOptions.Section}:Model, or use Extraction 'fast'.");
        }

        return ValidateOptionsResult.Success;
    }
}

/// <summary>
/// The cache sweep's grace period must cover the longest an ingest can run (<c>Retrieval:Ingestion:DocumentTimeout</c>):
/// an ingest writes its rows before it stores the document, and a shorter grace would let the sweep take them meanwhile.
/// </summary>
internal sealed class GraphCacheSweepOptionsValidator : IValidateOptions<Retrieval.Core.Graph.GraphCacheSweepOptions>
{
    private readonly IOptionsMonitor<IngestionOptions> _ingestion;

    public GraphCacheSweepOptionsValidator(IOptionsMonitor<IngestionOptions> ingestion) => _ingestion = ingestion;

    public ValidateOptionsResult Validate(string? name, Retrieval.Core.Graph.GraphCacheSweepOptions options)
    {
        var timeout = _ingestion.CurrentValue.DocumentTimeout;
        return options.GracePeriod < timeout
            ? ValidateOptionsResult.Fail(
                $"{Retrieval.Core.Graph.GraphCacheSweepOptions.Section}:GracePeriod ({options.GracePeriod}) must be at least {IngestionOptions.Section}:DocumentTimeout ({timeout}): an ingest in flight writes its cached extractions before it stores the document.")
            : ValidateOptionsResult.Success;
    }
}
