using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Retrieval.Core.Answering;

namespace Retrieval.Llm;

public static class JudgeServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <c>Retrieval:Verification</c>. With <c>Judge=Llm</c> and an LLM endpoint, the LLM judge
    /// replaces the lexical one (it needs the chat completion <see cref="LlmServiceCollectionExtensions.AddLlmAnswering"/>
    /// registers); <c>Judge=Llm</c> without an endpoint fails start-up validation.
    /// </summary>
    public static IServiceCollection AddAnswerJudge(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<VerificationOptions>().BindConfiguration(VerificationOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<VerificationOptions>, VerificationOptionsValidator>();
        if (string.Equals(configuration[VerificationOptions.Section + ":Judge"], nameof(AnswerJudgeKind.Llm), StringComparison.OrdinalIgnoreCase)
            && !string.IsNullOrWhiteSpace(configuration[LlmOptions.Section + ":Endpoint"]))
        {
            services.AddSingleton<IAnswerJudge, LlmAnswerJudge>();
        }

        return services;
    }
}
