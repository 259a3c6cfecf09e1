using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Retrieval.Core.Answering;
using Retrieval.Core.Ingestion.Chunking;

namespace Retrieval.Core.Graph;

/// <summary>
/// The default community summary, no LLM: the most central sentences of the community's readable chunks, quoted
/// verbatim with a citation each. A sentence's centrality is the weight of the community entities it names (the most
/// central entity weighs most); sentences are chosen greedily so that each adds entities not yet covered.
/// </summary>
public sealed partial class ExtractiveCommunitySummarizer : ICommunitySummarizer
{
    public const string SummarizerName = "extractive";
    private const string Version = "2";

    public string Name => SummarizerName;

    public string CacheKey(CommunitySummaryRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var builder = new StringBuilder($"{SummarizerName}/{Version}\n{request.MaxSentences}\n");
        foreach (var key in request.EntityKeys)
        {
            builder.Append(key).Append('\u001f');
        }

        return SummaryKeys.Append(builder, request.Sources);
    }

    public Task<string> SummarizeAsync(CommunitySummaryRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(Summarize(request));
    }

    internal static string Summarize(CommunitySummaryRequest request)
    {
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var i = 0; i < request.EntityKeys.Count; i++)
        {
            weights.TryAdd(request.EntityKeys[i], 1.0 / Math.Sqrt(1 + i));
        }

        var candidates = new List<(int Source, int Offset, string Text, HashSet<string> Keys)>();
        foreach (var source in request.Sources)
        {
            foreach (var range in SentenceSplitter.Split(source.Text))
            {
                var sentence = source.Text[range].Trim();
                if (!ExtractiveAnswerer.IsQuotable(sentence) || AnswerVerifier.LooksLikeInstruction(sentence))
                {
                    continue;
                }

                var keys = QueryLinker.Spans(sentence).Select(s => s.Key).Where(weights.ContainsKey).ToHashSet(StringComparer.Ordinal);
                if (keys.Count > 0)
                {
                    candidates.Add((source.Index, range.Start.GetOffset(source.Text.Length), sentence, keys));
                }
            }
        }

        var covered = new HashSet<string>(StringComparer.Ordinal);
        var chosen = new List<string>();
        var used = new HashSet<int>();
        while (chosen.Count < request.MaxSentences)
        {
            var best = -1;
            var bestGain = 0.0;
            for (var i = 0; i < candidates.Count; i++)
            {
                if (used.Contains(i))
                {
                    continue;
                }

                // New entities count fully, ones already covered a little (a central sentence may repeat the main character).
                var gain = candidates[i].Keys.Sum(k => covered.Contains(k) ? 0.1 * weights[k] : weights[k]);
                if (gain > bestGain + 1e-12)
                {
                    best = i;
                    bestGain = gain;
                }
            }

            if (best < 0)
            {
                break;
            }

            used.Add(best);
            covered.UnionWith(candidates[best].Keys);
            chosen.Add(AnswerText.WithCitation(Whitespace().Replace(candidates[best].Text, " "), [candidates[best].Source]));
        }

        return string.Join(" ", chosen);
    }

    // Hard-wrapped source lines read as one sentence in a summary.
    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

/// <summary>Cache keys of summaries: the summarizer's own inputs, then every source chunk id and a hash of its text.</summary>
public static class SummaryKeys
{
    public static string Append(StringBuilder builder, IReadOnlyList<AnswerSource> sources)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(sources);
        foreach (var source in sources)
        {
            // Chunk ids include the document version; the text hash makes the key exact even so.
            builder.Append('\n').Append(source.Index).Append(' ').Append(source.ChunkId).Append(' ')
                .Append(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source.Title + "\u001f" + source.Text))));
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }
}
