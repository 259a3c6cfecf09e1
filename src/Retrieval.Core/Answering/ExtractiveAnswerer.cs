using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Ingestion.Chunking;
using Retrieval.Core.Options;
using Retrieval.Core.Query;

namespace Retrieval.Core.Answering;

/// <summary>
/// The answerer used when no LLM is configured: picks the source sentences closest to the question
/// (embedding similarity plus question-term overlap) and quotes them verbatim, each followed by its
/// citation. Every sentence is a quotation, so the answer cannot say anything its sources do not.
/// </summary>
public sealed class ExtractiveAnswerer
{
    public const string GeneratorName = "extractive";

    private const int MaxSources = 5;
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

    /// <summary>Composes an answer from <paramref name="hits"/>; returns null when nothing is relevant enough.</summary>
    public async Task<(string Answer, IReadOnlyList<Citation> Citations, IReadOnlyList<AnswerSource> Sources)?> AnswerAsync(
        string question, IReadOnlyList<SearchHit> hits, ReadOnlyMemory<float> questionEmbedding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hits);
        var options = _options.CurrentValue;
        var candidates = new List<Candidate>();
        var sources = hits.Take(MaxSources).ToList();
        for (var rank = 0; rank < sources.Count; rank++)
        {
            var text = sources[rank].Text;
            foreach (var range in SentenceSplitter.Split(text))
            {
                var sentence = text[range].Trim();
                if (!IsQuotable(sentence))
                {
                    continue;
                }

                candidates.Add(new Candidate(rank, range.Start.GetOffset(text.Length), sentence));
            }
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        var vectors = await _embeddings.GenerateAsync(candidates.Select(c => c.Text), DocumentOptions, cancellationToken).ConfigureAwait(false);
        var questionTerms = TextFeatures.ContentTerms(question);
        for (var i = 0; i < candidates.Count; i++)
        {
            var similarity = questionEmbedding.IsEmpty ? 0 : TensorPrimitives.CosineSimilarity(questionEmbedding.Span, vectors[i].Vector.Span);
            var terms = TextFeatures.ContentTerms(candidates[i].Text);
            var overlap = questionTerms.Count == 0 ? 0 : (double)questionTerms.Count(terms.Contains) / questionTerms.Count;
            candidates[i] = candidates[i] with
            {
                Similarity = similarity,
                Score = (0.7 * similarity) + (0.3 * overlap) + (0.02 / (candidates[i].SourceRank + 1)),
            };
        }

        var best = candidates.MaxBy(c => c.Score)!;
        if (best.Similarity < options.MinDenseSimilarity && !questionEmbedding.IsEmpty)
        {
            return null;
        }

        // Keep sentences close to the best one, then read them in source order so the answer flows.
        var chosen = candidates
            .Where(c => c.Score >= best.Score * 0.75)
            .OrderByDescending(c => c.Score)
            .Take(options.AnswerSentences)
            .OrderBy(c => c.SourceRank)
            .ThenBy(c => c.Offset)
            .ToList();

        var numbering = new Dictionary<int, int>();
        var quotes = new Dictionary<int, List<string>>();
        var parts = new List<string>(chosen.Count);
        foreach (var sentence in chosen)
        {
            if (!numbering.TryGetValue(sentence.SourceRank, out var index))
            {
                index = numbering.Count + 1;
                numbering[sentence.SourceRank] = index;
                quotes[index] = [];
            }

            quotes[index].Add(sentence.Text);
            parts.Add(WithCitation(sentence.Text, index));
        }

        var answerSources = numbering
            .OrderBy(p => p.Value)
            .Select(p => new AnswerSource(p.Value, sources[p.Key].ChunkId, sources[p.Key].DocumentId, sources[p.Key].Title, sources[p.Key].Text))
            .ToList();
        var citations = answerSources
            .Select(s => new Citation(s.Index, s.ChunkId, s.DocumentId, s.Title, string.Join(" ", quotes[s.Index])))
            .ToList();
        return (string.Join(" ", parts), citations, answerSources);
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
    internal static string WithCitation(string sentence, int index)
    {
        var end = sentence.Length;
        while (end > 0 && sentence[end - 1] is '.' or '!' or '?')
        {
            end--;
        }

        return end == sentence.Length || end == 0
            ? $"{sentence} [{index}]."
            : $"{sentence[..end]} [{index}]{sentence[end..]}";
    }

    private sealed record Candidate(int SourceRank, int Offset, string Text)
    {
        public double Similarity { get; init; }

        public double Score { get; init; }
    }
}
