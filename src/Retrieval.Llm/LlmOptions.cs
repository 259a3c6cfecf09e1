using Microsoft.Extensions.Options;

namespace Retrieval.Llm;

/// <summary>
/// Configuration section <c>Retrieval:Llm</c>: an OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI's
/// v1 API, vLLM, Ollama, llama.cpp server). Without <see cref="Endpoint"/> the extractive answerer answers.
/// </summary>
public sealed class LlmOptions
{
    public const string Section = "Retrieval:Llm";

    /// <summary>Base URL of the API, e.g. <c>https://api.openai.com/v1</c> or <c>http://localhost:11434/v1</c>. Empty: no LLM.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Model name sent with every request (required with <see cref="Endpoint"/>).</summary>
    public string? Model { get; set; }

    /// <summary>Bearer key; local servers usually need none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Deadline for a whole answer, retries and streaming included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Deadline for one HTTP attempt (until the response headers arrive).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Retries of a transient failure (5xx, 408, 429, connection error, attempt timeout), with exponential backoff.</summary>
    public int MaxRetries { get; set; } = 2;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The circuit opens when this many attempts inside <see cref="BreakSamplingDuration"/> fail (and at least half of them do).</summary>
    public int BreakAfterFailures { get; set; } = 5;

    public TimeSpan BreakSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an open circuit sends every answer to the extractive answerer before trying the LLM again.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxTokens { get; set; } = 512;

    public double Temperature { get; set; }

    /// <summary>Sentences the answer may have (said in the prompt).</summary>
    public int MaxSentences { get; set; } = 5;

    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint);
}

/// <summary>Start-up validation; messages name the configuration path.</summary>
internal sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        var errors = new List<string>();
        const string S = LlmOptions.Section;
        if (options.Enabled)
        {
            if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{S}:Endpoint: '{options.Endpoint}' is not an absolute http(s) URL.");
            }

            if (string.IsNullOrWhiteSpace(options.Model))
            {
                errors.Add($"{S}:Model: required when {S}:Endpoint is set.");
            }
        }

        if (options.Timeout <= TimeSpan.Zero || options.AttemptTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{S}:Timeout and {S}:AttemptTimeout must be positive.");
        }
        else if (options.AttemptTimeout > options.Timeout)
        {
            errors.Add($"{S}:AttemptTimeout ({options.AttemptTimeout}) must not exceed {S}:Timeout ({options.Timeout}).");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            errors.Add($"{S}:MaxRetries must be between 0 and 10.");
        }

        if (options.RetryDelay < TimeSpan.Zero)
        {
            errors.Add($"{S}:RetryDelay must not be negative.");
        }

        if (options.BreakAfterFailures < 2)
        {
            errors.Add($"{S}:BreakAfterFailures must be at least 2.");
        }

        if (options.BreakSamplingDuration <= TimeSpan.Zero || options.BreakDuration <= TimeSpan.Zero)
        {
            errors.Add($"{S}:BreakSamplingDuration and {S}:BreakDuration must be positive.");
        }

        if (options.MaxTokens is < 16 or > 32_768)
        {
            errors.Add($"{S}:MaxTokens must be between 16 and 32768.");
        }

        if (options.Temperature is < 0 or > 2)
        {
            errors.Add($"{S}:Temperature must be between 0 and 2.");
        }

        if (options.MaxSentences is < 1 or > 20)
        {
            errors.Add($"{S}:MaxSentences must be between 1 and 20.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
