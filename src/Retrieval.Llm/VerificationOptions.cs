using Microsoft.Extensions.Options;

namespace Retrieval.Llm;

/// <summary>Who decides whether answer sentences are supported.</summary>
public enum AnswerJudgeKind
{
    /// <summary>The verifier's lexical (and paraphrase) scoring: deterministic, free, always available.</summary>
    Lexical,

    /// <summary>The configured LLM, one batched call per answer, with the lexical checks as a floor and as the fallback.</summary>
    Llm,
}

/// <summary>Configuration section <c>Retrieval:Verification</c>: the answer judge (docs/answers.md, "LLM judge").</summary>
public sealed class VerificationOptions
{
    public const string Section = "Retrieval:Verification";

    /// <summary><c>Lexical</c> (default) or <c>Llm</c>; <c>Llm</c> needs <c>Retrieval:Llm:Endpoint</c>.</summary>
    public AnswerJudgeKind Judge { get; set; } = AnswerJudgeKind.Lexical;

    /// <summary>At most this many sentences of one answer go to the LLM judge; the rest keep their lexical verdicts.</summary>
    public int MaxSentences { get; set; } = 12;

    /// <summary>
    /// Budget for the judge's user message (fenced sources plus sentences), in characters (about 4 per token). Sentences
    /// whose sources would exceed it keep their lexical verdicts; the first judgeable sentence is always sent.
    /// </summary>
    public int MaxPromptChars { get; set; } = 24_000;

    /// <summary>Completion tokens the verdict JSON may use.</summary>
    public int MaxTokens { get; set; } = 1024;

    /// <summary>Deadline for the judge call, retries included; null: <c>Retrieval:Llm:Timeout</c>.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Ask the server for a JSON object (<c>response_format: json_object</c>); turn off for servers that reject it.</summary>
    public bool JsonMode { get; set; } = true;
}

/// <summary>Start-up validation; messages name the configuration path.</summary>
internal sealed class VerificationOptionsValidator : IValidateOptions<VerificationOptions>
{
    private readonly IOptionsMonitor<LlmOptions> _llm;

    public VerificationOptionsValidator(IOptionsMonitor<LlmOptions> llm) => _llm = llm;

    public ValidateOptionsResult Validate(string? name, VerificationOptions options)
    {
        var errors = new List<string>();
        const string S = VerificationOptions.Section;
        if (!Enum.IsDefined(options.Judge))
        {
            errors.Add($"{S}:Judge must be Lexical or Llm.");
        }
        else if (options.Judge == AnswerJudgeKind.Llm && !_llm.CurrentValue.Enabled)
        {
            errors.Add($"{S}:Judge is Llm but {LlmOptions.Section}:Endpoint is not set: the LLM judge needs an OpenAI-compatible endpoint (and {LlmOptions.Section}:Model).");
        }

        if (options.MaxSentences is < 1 or > 50)
        {
            errors.Add($"{S}:MaxSentences must be between 1 and 50.");
        }

        if (options.MaxPromptChars is < 1_000 or > 1_000_000)
        {
            errors.Add($"{S}:MaxPromptChars must be between 1000 and 1000000.");
        }

        if (options.MaxTokens is < 64 or > 32_768)
        {
            errors.Add($"{S}:MaxTokens must be between 64 and 32768.");
        }

        if (options.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            errors.Add($"{S}:Timeout must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
