using System.Text.RegularExpressions;
using Retrieval.Core.Ingestion.Chunking;

namespace Retrieval.Core.Answering;

/// <summary>
/// Checks every answer sentence against the passages it cites. A sentence that cites nothing, cites a source
/// that was not given, or whose content words and numbers are not found in what it cites is unsupported.
/// The same scorer is what the offline evaluation reports as the support ratio.
/// </summary>
public sealed partial class AnswerVerifier
{
    /// <summary>Fraction of a sentence's content terms that must occur in a cited passage.</summary>
    public double SupportThreshold { get; init; } = 0.75;

    public SupportReport Verify(string answer, IReadOnlyList<AnswerSource> sources)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(sources);
        var byIndex = sources.ToDictionary(s => s.Index);
        var sentences = SplitWithCitations(answer);
        var results = new List<SentenceSupport>(sentences.Count);
        foreach (var (text, citations) in sentences)
        {
            var score = 0.0;
            if (citations.Count > 0 && citations.All(byIndex.ContainsKey))
            {
                score = citations.Max(c => Score(text, byIndex[c].Text));
            }

            results.Add(new SentenceSupport(text, citations, score >= SupportThreshold, Math.Round(score, 4)));
        }

        var ratio = results.Count == 0 ? 0 : (double)results.Count(r => r.Supported) / results.Count;
        return new SupportReport(Math.Round(ratio, 4), results);
    }

    /// <summary>How well <paramref name="passage"/> supports <paramref name="claim"/>, in [0, 1].</summary>
    public static double Score(string claim, string passage)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(passage);
        var claimTerms = TextFeatures.ContentTerms(claim);
        if (claimTerms.Count == 0)
        {
            return 0;
        }

        var passageTerms = TextFeatures.ContentTerms(passage);
        var coverage = (double)claimTerms.Count(passageTerms.Contains) / claimTerms.Count;

        // A number the passage does not contain is a fabricated figure, whatever the word overlap.
        var claimNumbers = TextFeatures.Numbers(claim);
        if (claimNumbers.Count > 0 && !claimNumbers.IsSubsetOf(TextFeatures.Numbers(passage)))
        {
            return Math.Min(coverage, 0.25);
        }

        // A negation the passage lacks flips the meaning.
        if (TextFeatures.HasNegation(claim) && !TextFeatures.HasNegation(passage))
        {
            return Math.Min(coverage, 0.5);
        }

        return coverage;
    }

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
