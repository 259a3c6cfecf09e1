namespace Retrieval.Core.Answering;

/// <summary>What a generator answers from: the question and the numbered sources it may cite.</summary>
public sealed record AnswerPrompt(string Question, ReadOnlyMemory<float> QuestionEmbedding, IReadOnlyList<AnswerSource> Sources);

/// <summary>
/// Writes an answer with <c>[n]</c> citations from numbered sources. Two implementations: the extractive answerer
/// (always available, quotes source sentences) and the LLM through Semantic Kernel (Retrieval.Llm).
/// Whatever a generator writes is verified afterwards; a generator is never trusted to cite correctly.
/// </summary>
public interface IAnswerGenerator
{
    /// <summary>Reported as the response's <c>generator</c>.</summary>
    string Name { get; }

    /// <summary>The whole answer; an empty string when the generator has nothing to say.</summary>
    Task<string> GenerateAsync(AnswerPrompt prompt, CancellationToken cancellationToken);

    /// <summary>The answer as it is written, in pieces.</summary>
    IAsyncEnumerable<string> StreamAsync(AnswerPrompt prompt, CancellationToken cancellationToken);
}

/// <summary>The generator could not answer (timeout, transport error, open circuit, malformed reply): fall back or abstain.</summary>
public sealed class AnswerGeneratorUnavailableException : Exception
{
    public AnswerGeneratorUnavailableException(string message) : base(message) { }

    public AnswerGeneratorUnavailableException(string message, Exception inner) : base(message, inner) { }

    public AnswerGeneratorUnavailableException() { }
}
