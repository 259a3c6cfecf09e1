using System.Text;

namespace Retrieval.Eval.Metrics;

/// <summary>
/// Whether an answer contains the gold answer or one of its aliases after SQuAD-style normalization: lower-case, punctuation
/// removed, articles (a, an, the) dropped, whitespace collapsed; matched on whole words ("35" does not match "1935").
/// </summary>
public static class AnswerMatch
{
    public static bool ContainsGold(string answer, string? gold, IEnumerable<string>? aliases)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var haystack = " " + Normalize(answer) + " ";
        return new[] { gold }.Concat(aliases ?? [])
            .Where(g => !string.IsNullOrWhiteSpace(g))
            .Select(g => Normalize(g!))
            .Any(g => g.Length > 0 && haystack.Contains(" " + g + " ", StringComparison.Ordinal));
    }

    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            builder.Append(char.IsPunctuation(c) || char.IsSymbol(c) ? ' ' : c);
        }

        var words = builder.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Where(w => w is not ("a" or "an" or "the"));
        return string.Join(' ', words);
    }
}
