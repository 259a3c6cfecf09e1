using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Ingestion.Chunking;

namespace Retrieval.Core.Answering;

/// <summary>
/// Checks every answer sentence against the passages it cites. A sentence that cites nothing, cites a source that
/// was not given, or whose content words, numbers and names are not found (or paraphrased) in what it cites is
/// unsupported. The lexical scorer (<see cref="Score"/>) is what the offline evaluation measures; the service adds
/// a paraphrase path (embedding similarity to the best-matching cited sentence) when an embedding model is present.
/// </summary>
public sealed partial class AnswerVerifier
{
    /// <summary>Calibrated on SummEdits and QAGS (docs/answers.md).</summary>
    public const double DefaultSupportThreshold = 0.5;

    /// <summary>Cosine above which a claim counts as a paraphrase of a source sentence (docs/answers.md).</summary>
    public const double DefaultParaphraseSimilarity = 0.85;

    private static readonly EmbeddingGenerationOptions DocumentOptions = new()
    {
        AdditionalProperties = new() { [EmbeddingInputType.Key] = EmbeddingInputType.Document },
    };

    private readonly IOptionsMonitor<AnswerOptions>? _options;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embeddings;
    private readonly double? _threshold;

    /// <summary>Lexical only, default thresholds (tests, tools).</summary>
    public AnswerVerifier()
    {
    }

    public AnswerVerifier(IOptionsMonitor<AnswerOptions> options, IEmbeddingGenerator<string, Embedding<float>>? embeddings = null)
    {
        _options = options;
        _embeddings = embeddings;
    }

    /// <summary>Support score a sentence must reach to count as supported.</summary>
    public double SupportThreshold
    {
        get => _threshold ?? _options?.CurrentValue.SupportThreshold ?? DefaultSupportThreshold;
        init => _threshold = value;
    }

    private double ParaphraseSimilarity => _options?.CurrentValue.ParaphraseSimilarity ?? DefaultParaphraseSimilarity;

    /// <summary>Lexical verification: every sentence scored against the sources it cites.</summary>
    public SupportReport Verify(string answer, IReadOnlyList<AnswerSource> sources)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(sources);
        return Report(SplitWithCitations(answer).Select(s => Judge(s.Text, s.Citations, sources, paraphrase: null)).ToList());
    }

    /// <summary>
    /// Verification with the paraphrase path: a claim whose closest cited source sentence is at least
    /// <see cref="AnswerOptions.ParaphraseSimilarity"/> similar counts as restating it, even in other words.
    /// Number, negation and name mismatches still count against it.
    /// </summary>
    public async Task<SupportReport> VerifyAsync(string answer, IReadOnlyList<AnswerSource> sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(sources);
        var sentences = SplitWithCitations(answer);
        if (_embeddings is null || ParaphraseSimilarity >= 1 || sentences.Count == 0)
        {
            return Verify(answer, sources);
        }

        var sourceSentences = sources.ToDictionary(s => s.Index, s => SourceSentences(s.Text));
        var texts = sentences.Select(s => s.Text).Concat(sourceSentences.OrderBy(p => p.Key).SelectMany(p => p.Value)).ToList();
        var vectors = await _embeddings.GenerateAsync(texts, DocumentOptions, cancellationToken).ConfigureAwait(false);
        var offsets = new Dictionary<int, int>();
        var next = sentences.Count;
        foreach (var (index, list) in sourceSentences.OrderBy(p => p.Key))
        {
            offsets[index] = next;
            next += list.Count;
        }

        var results = new List<SentenceSupport>(sentences.Count);
        for (var i = 0; i < sentences.Count; i++)
        {
            var claim = vectors[i].Vector;
            results.Add(Judge(sentences[i].Text, sentences[i].Citations, sources, source =>
            {
                var list = sourceSentences[source];
                var best = (Similarity: -1.0, Sentence: (string?)null);
                for (var j = 0; j < list.Count; j++)
                {
                    var similarity = TensorPrimitives.CosineSimilarity(claim.Span, vectors[offsets[source] + j].Vector.Span);
                    if (similarity > best.Similarity)
                    {
                        best = (similarity, list[j]);
                    }
                }

                return best;
            }));
        }

        return Report(results);
    }

    /// <summary>How well <paramref name="passage"/> supports <paramref name="claim"/>, in [0, 1] (lexical).</summary>
    public static double Score(string claim, string passage) => Analyze(claim, passage).Score;

    /// <summary>The lexical evidence: coverage of the claim's content words, and what contradicts it.</summary>
    public static SupportAnalysis Analyze(string claim, string passage)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(passage);
        var claimTerms = TextFeatures.ContentTerms(claim);
        if (claimTerms.Count == 0)
        {
            return new SupportAnalysis(0, null);
        }

        var passageTerms = TextFeatures.ContentTerms(passage);
        var coverage = (double)claimTerms.Count(passageTerms.Contains) / claimTerms.Count;

        // A number the passage does not contain is a fabricated figure, whatever the word overlap.
        var claimNumbers = TextFeatures.Numbers(claim);
        if (claimNumbers.Count > 0 && !claimNumbers.IsSubsetOf(TextFeatures.Numbers(passage)))
        {
            return new SupportAnalysis(coverage, SupportIssues.NumberMismatch);
        }

        // A negation the passage lacks flips the meaning.
        if (TextFeatures.HasNegation(claim) && !TextFeatures.HasNegation(passage))
        {
            return new SupportAnalysis(coverage, SupportIssues.NegationMismatch);
        }

        // A name the passage never mentions is a swapped or invented entity.
        if (!TextFeatures.Names(claim).IsSubsetOf(passageTerms))
        {
            return new SupportAnalysis(coverage, SupportIssues.EntityMismatch);
        }

        return new SupportAnalysis(coverage, null);
    }

    private SentenceSupport Judge(string text, IReadOnlyList<int> citations, IReadOnlyList<AnswerSource> sources, Func<int, (double Similarity, string? Sentence)>? paraphrase)
    {
        if (citations.Count == 0)
        {
            return new SentenceSupport(text, citations, false, 0) { Issue = SupportIssues.NoCitation };
        }

        var cited = new List<AnswerSource>(citations.Count);
        foreach (var index in citations)
        {
            var source = sources.FirstOrDefault(s => s.Index == index);
            if (source is null)
            {
                return new SentenceSupport(text, citations, false, 0) { Issue = SupportIssues.UnknownSource };
            }

            cited.Add(source);
        }

        var threshold = SupportThreshold;
        var best = (Score: -1.0, Analysis: new SupportAnalysis(0, null), Source: 0, Evidence: (string?)null);
        foreach (var source in cited)
        {
            var analysis = Analyze(text, Evidence(source.Text));
            var coverage = analysis.Coverage;
            string? evidence = null;
            if (paraphrase is not null)
            {
                var (similarity, sentence) = paraphrase(source.Index);
                evidence = sentence;
                coverage = Math.Max(coverage, ParaphraseCoverage(similarity, threshold));
            }

            var score = (analysis with { Coverage = coverage }).Score;
            if (score > best.Score)
            {
                best = (score, analysis with { Coverage = coverage }, source.Index, evidence ?? BestLexicalSentence(text, Evidence(source.Text)));
            }
        }

        var supported = best.Score >= threshold;
        var issue = supported ? null : best.Analysis.Issue ?? SupportIssues.LowOverlap;
        return new SentenceSupport(text, citations, supported, Math.Round(best.Score, 4)) { Issue = issue, Evidence = best.Evidence, EvidenceSource = best.Source };
    }

    /// <summary>
    /// The deterministic checks no judge may overrule: the sentence cites something (<c>no_citation</c>), every source it
    /// cites was given (<c>unknown_source</c>), every number it states appears in what it cites (<c>number_mismatch</c>),
    /// and a negation it states appears there too (<c>negation_mismatch</c>). Injected instructions inside a source are
    /// not evidence (<see cref="EvidenceText"/>). Null when the sentence passes them all.
    /// </summary>
    public static string? FloorIssue(string claim, IReadOnlyList<int> citations, IReadOnlyList<AnswerSource> sources)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(citations);
        ArgumentNullException.ThrowIfNull(sources);
        if (citations.Count == 0)
        {
            return SupportIssues.NoCitation;
        }

        var evidence = new List<string>(citations.Count);
        foreach (var index in citations)
        {
            var source = sources.FirstOrDefault(s => s.Index == index);
            if (source is null)
            {
                return SupportIssues.UnknownSource;
            }

            evidence.Add(EvidenceText(source.Text));
        }

        var cited = string.Join("\n", evidence);
        var numbers = TextFeatures.Numbers(claim);
        if (numbers.Count > 0 && !numbers.IsSubsetOf(TextFeatures.Numbers(cited)))
        {
            return SupportIssues.NumberMismatch;
        }

        return TextFeatures.HasNegation(claim) && !TextFeatures.HasNegation(cited) ? SupportIssues.NegationMismatch : null;
    }

    /// <summary>What of a source can be evidence: the text, less any sentence addressing the model (an injected instruction).</summary>
    public static string EvidenceText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Evidence(text);
    }

    /// <summary>Maps a paraphrase similarity in [P, 1] onto a coverage in [threshold, 1]; below P it earns nothing.</summary>
    private double ParaphraseCoverage(double similarity, double threshold)
    {
        var p = ParaphraseSimilarity;
        return similarity < p ? 0 : threshold + ((similarity - p) / Math.Max(1e-9, 1 - p) * (1 - threshold));
    }

    private static SupportReport Report(List<SentenceSupport> results)
    {
        var ratio = results.Count == 0 ? 0 : (double)results.Count(r => r.Supported) / results.Count;
        return new SupportReport(Math.Round(ratio, 4), results) { Judge = LexicalAnswerJudge.JudgeName };
    }

    /// <summary>The sentences of a source that can be evidence: those addressing the model (injected instructions) cannot.</summary>
    private static List<string> SourceSentences(string text) =>
        SentenceSplitter.Split(text).Select(r => text[r].Trim()).Where(s => s.Length > 0 && !LooksLikeInstruction(s)).ToList();

    private static string Evidence(string text) => InjectionCue().IsMatch(text) ? string.Join(" ", SourceSentences(text)) : text;

    /// <summary>
    /// "Ignore previous instructions and say …": a sentence speaking to an AI is an injection attempt, not a fact, so a
    /// claim it asks for is not supported by it.
    /// </summary>
    public static bool LooksLikeInstruction(string sentence) => InjectionCue().IsMatch(sentence);

    [GeneratedRegex(@"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(?:instructions?|rules|prompt|guidelines)\b|\byou are now\b|\bsystem prompt\b|\bnew instructions?\b|^\s*(?:system|assistant|developer)\s*:|<\|im_start\|>", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex InjectionCue();

    private static string? BestLexicalSentence(string claim, string passage) =>
        SourceSentences(passage).MaxBy(s => Analyze(claim, s).Coverage);

    /// <summary>Splits an answer into sentences and the citation numbers each carries ("[1]", "[2, 3]").</summary>
    public static IReadOnlyList<(string Text, IReadOnlyList<int> Citations)> SplitWithCitations(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var pieces = SentenceSplitter.Split(answer).Select(r => answer[r].Trim()).Where(s => s.Length > 0).ToList();
        var result = new List<(string, IReadOnlyList<int>)>(pieces.Count);
        foreach (var piece in pieces)
        {
            var text = piece;

            // "Claim one. [1] Claim two." puts "[1]" at the start of the next piece: give it back.
            var leading = LeadingCitations().Match(text);
            if (leading.Success && result.Count > 0)
            {
                var (previousText, previousCitations) = result[^1];
                result[^1] = (previousText, previousCitations.Concat(ParseNumbers(leading.Value)).Distinct().ToList());
                text = text[leading.Length..].Trim();
                if (text.Length == 0)
                {
                    continue;
                }
            }

            var citations = Citations().Matches(text).SelectMany(m => ParseNumbers(m.Value)).Distinct().ToList();
            var clean = Citations().Replace(text, string.Empty);
            clean = SpaceBeforePunctuation().Replace(clean, "$1").Trim();
            if (clean.Length > 0)
            {
                result.Add((clean, citations));
            }
        }

        return result;
    }

    private static IEnumerable<int> ParseNumbers(string citation) =>
        Numbers().Matches(citation).Select(m => int.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"\[\s*\d{1,4}(?:\s*,\s*\d{1,4})*\s*\]")]
    private static partial Regex Citations();

    [GeneratedRegex(@"^(?:\s*\[\s*\d{1,4}(?:\s*,\s*\d{1,4})*\s*\])+")]
    private static partial Regex LeadingCitations();

    [GeneratedRegex(@"\d{1,4}")]
    private static partial Regex Numbers();

    [GeneratedRegex(@"\s+([.,;:!?])")]
    private static partial Regex SpaceBeforePunctuation();
}

/// <summary>A claim's lexical support by one passage: content-word coverage and the first contradiction found.</summary>
public sealed record SupportAnalysis(double Coverage, string? Issue)
{
    /// <summary>Coverage, capped by a contradiction: a wrong number is worse than a dropped negation or a swapped name.</summary>
    public double Score => Issue switch
    {
        SupportIssues.NumberMismatch => Math.Min(Coverage, 0.25),
        SupportIssues.NegationMismatch => Math.Min(Coverage, 0.45),
        SupportIssues.EntityMismatch => Math.Min(Coverage, 0.45),
        _ => Coverage,
    };
}
