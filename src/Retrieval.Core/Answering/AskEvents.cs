namespace Retrieval.Core.Answering;

/// <summary>What <see cref="AskService.StreamAsync"/> yields: answer pieces as they are written, then the verified result.</summary>
public abstract record AskEvent;

/// <summary>
/// A piece of the answer as the generator writes it. Provisional: verification may remove sentences, and a failing
/// LLM may be replaced by the extractive answerer; the <see cref="AskCompleted"/> answer is the one to keep.
/// </summary>
public sealed record AskDelta(string Text) : AskEvent;

/// <summary>The final, verified answer with citations and support: always the last event.</summary>
public sealed record AskCompleted(AnswerResult Result) : AskEvent;
