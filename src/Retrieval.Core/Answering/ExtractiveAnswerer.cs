using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Ingestion.Chunking;
using Retrieval.Core.Options;

namespace Retrieval.Core.Answering;

/// <summary>
/// The answerer used when no LLM is configured (or the LLM is unavailable): picks the source sentences closest to
/// the question (embedding similarity plus question-term overlap) and quotes them verbatim, each followed by its
/// citation. Every sentence is a quotation, so the answer cannot say anything its sources do not.
/// </summary>
public sealed class ExtractiveAnswerer : IAnswerGenerator
{
    public const string GeneratorName = "extractive";

    private const int MinSentenceWords = 4;
    private const int MaxSentenceChars = 600;

    private static readonly EmbeddingGenerationOptions DocumentOptions = new()
    {
        AdditionalProperties = new() { [EmbeddingInputType.Key] = EmbeddingInputType.Document },
    };

    private readonly IEmbeddingGenerator<string, Embedding<float>> _embeddings;
    private readonly IOptionsMonitor<QueryOptions> _options;

    public ExtractiveAnswerer(IEmbeddingGenerator<string, Embedding<float>> embeddings, IOptionsMonitor<QueryOptions> options)
    {
        _embeddings = embeddings;
        _options = options;
    }

    public string Name => GeneratorName;

    /// <summary>Quoted sentences with their citations; empty when no source has a quotable sentence.</summary>
    public async Task<string> GenerateAsync(AnswerPrompt prompt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var options = _options.CurrentValue;
        var candidates = new List<Candidate>();
        foreach (var source in prompt.Sources)
        {
            var text = source.Text;
            foreach (var range in SentenceSplitter.Split(text))
            {
                var sentence = text[range].Trim();
                if (IsQuotable(sentence))
                {
                    candidates.Add(new Candidate(source.Index, range.Start.GetOffset(text.Length), sentence));
                }
            }
        }

        if (candidates.Count == 0)
        {
            return string.Empty;
        }

        var vectors = await _embeddings.GenerateAsync(candidates.Select(c => c.Text), DocumentOptions, cancellationToken).ConfigureAwait(false);
        var questionTerms = TextFeatures.ContentTerms(prompt.Question);
        for (var i = 0; i < candidates.Count; i++)
        {
            var similarity = prompt.QuestionEmbedding.IsEmpty ? 0 : TensorPrimitives.CosineSimilarity(prompt.QuestionEmbedding.Span, vectors[i].Vector.Span);
            var terms = TextFeatures.ContentTerms(candidates[i].Text);
            var overlap = questionTerms.Count == 0 ? 0 : (double)questionTerms.Count(terms.Contains) / questionTerms.Count;
            candidates[i] = candidates[i] with
            {
                Similarity = similarity,
                Score = (0.7 * similarity) + (0.3 * overlap) + (0.02 / candidates[i].Source),
            };
        }

        // Keep sentences close to the best one, then read them in source order so the answer flows.
        var best = candidates.MaxBy(c => c.Score)!;
        var chosen = candidates
            .Where(c => c.Score >= best.Score * 0.75)
            .OrderByDescending(c => c.Score)
            .Take(options.AnswerSentences)
            .OrderBy(c => c.Source)
            .ThenBy(c => c.Offset)
            .Select(c => WithCitation(c.Text, c.Source));
        return string.Join(" ", chosen);
    }

    /// <summary>One piece: the extractive answer is composed at once.</summary>
    public async IAsyncEnumerable<string> StreamAsync(AnswerPrompt prompt, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var answer = await GenerateAsync(prompt, cancellationToken).ConfigureAwait(false);
        if (answer.Length > 0)
        {
            yield return answer;
        }
    }

    /// <summary>
    /// A sentence worth quoting: prose of a sensible length. Headings, table rows and code are structure, not
    /// statements, and a heading without a full stop would run into the next sentence of the answer.
    /// </summary>
    internal static bool IsQuotable(string sentence)
    {
        if (sentence.Length is 0 or > MaxSentenceChars || sentence.Contains(" | ", StringComparison.Ordinal) || sentence.Contains("```", StringComparison.Ordinal))
        {
            return false;
        }

        var words = TextFeatures.Words(sentence).Count();
        if (words < MinSentenceWords)
        {
            return false;
        }

        // Code and markup are dense in these symbols; prose (even with numbers and parentheses) is not.
        var symbols = sentence.Count(c => c is '{' or '}' or '[' or ']' or '<' or '>' or '=' or ';' or '\\' or '_' or '#' or '$' or '@' or '^' or '~' or '`' or '*');
        if (symbols > sentence.Length * 0.04)
        {
            return false;
        }

        var endsLikeSentence = sentence.TrimEnd('"', '\'', ')', '”', '’')[^1] is '.' or '!' or '?';
        return endsLikeSentence || words >= 12;
    }

    /// <summary>"It rains." → "It rains [1]." — the citation goes before the final full stop; a sentence without one gets one.</summary>
    internal static string WithCitation(string sentence, int index) => AnswerText.WithCitation(sentence, [index]);

    private sealed record Candidate(int Source, int Offset, string Text)
    {
        public double Similarity { get; init; }

        public double Score { get; init; }
    }
}
