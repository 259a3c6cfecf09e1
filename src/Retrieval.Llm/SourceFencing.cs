using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Retrieval.Core.Answering;

namespace Retrieval.Llm;

/// <summary>
/// Retrieved text is data. Sources go into the prompt between fences the model is told about, and everything in a
/// source that could pass for prompt structure is neutralised first: our own fence markers, chat-template tokens,
/// code fences, role lines ("SYSTEM: …") and citation markers ("[1]") that would pose as a numbered source.
/// </summary>
public static partial class SourceFencing
{
    public static string Open(int index) => $"<<<SOURCE {index.ToString(CultureInfo.InvariantCulture)}>>>";

    public static string Close(int index) => $"<<<END SOURCE {index.ToString(CultureInfo.InvariantCulture)}>>>";

    /// <summary>The sources block of the user message: every source escaped and fenced.</summary>
    public static string Fence(IReadOnlyList<AnswerSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var builder = new StringBuilder();
        foreach (var source in sources)
        {
            builder.AppendLine(Open(source.Index));
            builder.Append("Title: ").AppendLine(Escape(source.Title).ReplaceLineEndings(" "));
            builder.AppendLine(Escape(source.Text));
            builder.AppendLine(Close(source.Index));
            builder.AppendLine();
        }

        return builder.ToString();
    }

    /// <summary>Neutralises prompt structure inside untrusted text; the words stay readable.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = ChatTemplateTokens().Replace(text, " ");
        escaped = AngleRuns().Replace(escaped, m => m.Value[0] == '<' ? "‹" : "›");
        escaped = FenceWord().Replace(escaped, "source");
        escaped = CodeFences().Replace(escaped, "'''");
        escaped = RoleLines().Replace(escaped, m => $"{m.Groups["indent"].Value}(quoted) {m.Groups["role"].Value.ToLowerInvariant()} says:");
        escaped = CitationMarkers().Replace(escaped, m => "(" + m.Value.Trim('[', ']', ' ') + ")");
        return escaped;
    }

    // <|im_start|>, <|system|>, [INST], [/INST], <<SYS>>, </s>: special tokens of common chat templates.
    [GeneratedRegex(@"<\|[^|>]{0,40}\|>|\[/?INST\]|<</?SYS>>|</?s>", RegexOptions.IgnoreCase)]
    private static partial Regex ChatTemplateTokens();

    [GeneratedRegex(@"<{2,}|>{2,}")]
    private static partial Regex AngleRuns();

    // What is left of a forged "<<<SOURCE 2>>>" or "END SOURCE" marker after the angle runs are gone.
    [GeneratedRegex(@"(?<=‹\s*(?:END\s+)?)SOURCE\b", RegexOptions.IgnoreCase)]
    private static partial Regex FenceWord();

    [GeneratedRegex(@"`{3,}|~{3,}")]
    private static partial Regex CodeFences();

    [GeneratedRegex(@"^(?<indent>[ \t>#*-]*)(?<role>system|assistant|user|developer|instruction|instructions)\s*:", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex RoleLines();

    [GeneratedRegex(@"\[\s*\d{1,4}(?:\s*,\s*\d{1,4})*\s*\]")]
    private static partial Regex CitationMarkers();
}
