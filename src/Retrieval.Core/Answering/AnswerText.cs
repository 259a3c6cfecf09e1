namespace Retrieval.Core.Answering;

/// <summary>Reading and writing answer text: citations after sentences, the "cannot answer" declaration.</summary>
public static class AnswerText
{
    /// <summary>What a generator must write, alone, when its sources do not contain the answer (the prompt asks for it).</summary>
    public const string CannotAnswer = "I cannot answer from the sources.";

    /// <summary>True when the answer is the generator saying it cannot answer from the sources.</summary>
    public static bool DeclinesToAnswer(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var text = answer.Trim();
        return text.Length < 200 && (text.Contains("cannot answer from the sources", StringComparison.OrdinalIgnoreCase)
            || text.Contains("can't answer from the sources", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Sentences back into text, each with its citations before the final stop: "It rains [1, 2]."</summary>
    public static string Render(IEnumerable<SentenceSupport> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        return string.Join(" ", sentences.Select(s => WithCitation(s.Text, s.Citations)));
    }

    /// <summary>"It rains." → "It rains [1]." — the citation goes before the final full stop; a sentence without one gets one.</summary>
    public static string WithCitation(string sentence, IReadOnlyList<int> citations)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        ArgumentNullException.ThrowIfNull(citations);
        if (citations.Count == 0)
        {
            return sentence;
        }

        var label = "[" + string.Join(", ", citations) + "]";
        var end = sentence.Length;
        while (end > 0 && sentence[end - 1] is '.' or '!' or '?')
        {
            end--;
        }

        return end == sentence.Length || end == 0
            ? $"{sentence} {label}."
            : $"{sentence[..end]} {label}{sentence[end..]}";
    }
}
