using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Retrieval.Eval.Reports;

/// <summary>Writes <c>report.json</c> (the contract other tools read), <c>report.md</c> and the PNG chart into one folder.</summary>
public static class ReportWriter
{
    public const string JsonFile = "report.json";
    public const string MarkdownFile = "report.md";
    public const string ChartFile = "chart.png";

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task<IReadOnlyList<string>> WriteAsync(EvalReport report, string directory, string? notes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(directory);
        var json = Path.Combine(directory, JsonFile);
        var markdown = Path.Combine(directory, MarkdownFile);
        var chart = Path.Combine(directory, ChartFile);
        await File.WriteAllTextAsync(json, JsonSerializer.Serialize(report, JsonOptions) + "\n", cancellationToken);
        await File.WriteAllTextAsync(markdown, Markdown(report, notes), cancellationToken);
        Charts.Write(report, chart);
        return [json, markdown, chart];
    }

    public static EvalReport Read(string path) =>
        JsonSerializer.Deserialize<EvalReport>(File.ReadAllText(path), JsonOptions) ?? throw new InvalidDataException($"{path} is empty");

    public static string Markdown(EvalReport report, string? notes)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        if (report.Retrieval is { } r)
        {
            md.AppendLine(Inv($"# Retrieval: {r.Dataset} ({r.Split})")).AppendLine();
            md.AppendLine(Inv($"Corpus {r.Corpus:N0} documents ({r.Store?.Chunks:N0} chunks), {r.Queries:N0} judged queries ({r.QuerySubset}), model `{r.Model}` on {r.ExecutionProvider}."));
            if (r.Settings is { Count: > 0 } settings)
            {
                md.AppendLine(Inv($"Settings: {string.Join(", ", settings.Select(p => $"`{p.Key}={p.Value}`"))}."));
            }

            md.AppendLine(Inv($"Each query asks for the top {r.ChunkDepth} chunks; a document counts once, at its best-ranked chunk."));
            if (r.Fusion is { } f)
            {
                md.AppendLine(Inv($"Fusion: weighted RRF, DenseWeight={f.DenseWeight}, LexicalWeight={f.LexicalWeight}, GraphWeight={f.GraphWeight}, RrfK={f.RrfK}, candidates per retriever {f.CandidatesPerRetriever}."));
            }

            md.AppendLine();
            md.AppendLine("| mode | nDCG@10 | MRR@10 | R@2 | R@5 | R@10 | R@100 | p50 ms | p95 ms |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var (mode, m) in r.Modes)
            {
                md.AppendLine(Inv($"| {mode} | {m.Ndcg10:0.0000} | {m.Mrr10:0.0000} | {m.Recall2:0.0000} | {m.Recall5:0.0000} | {m.Recall10:0.0000} | {m.Recall100:0.0000} | {m.LatencyMs.P50:0.0} | {m.LatencyMs.P95:0.0} |"));
            }

            if (r.FusionTuning is { } t)
            {
                md.AppendLine().AppendLine("## Fusion tuning (hybrid)").AppendLine().AppendLine(t.Method + ".").AppendLine();
                md.AppendLine("| DenseWeight | LexicalWeight | RrfK | nDCG@10 tune half | nDCG@10 held-out half | R@10 held-out |");
                md.AppendLine("|---|---|---|---|---|---|");
                foreach (var trial in t.Trials)
                {
                    var mark = trial == t.Chosen ? " **chosen**" : trial == t.Default ? " (default)" : string.Empty;
                    md.AppendLine(Inv($"| {trial.DenseWeight} | {trial.LexicalWeight} | {trial.RrfK}{mark} | {trial.TuneNdcg10:0.0000} | {trial.HeldOutNdcg10:0.0000} | {trial.HeldOutRecall10:0.0000} |"));
                }
            }

            if (r.Store is { } s)
            {
                md.AppendLine().AppendLine(Inv($"Store: {(s.Reused ? "reused" : "built")} ({s.IndexingSeconds:0.#} s indexing, chunks of {s.ChunkTokens} tokens with {s.OverlapTokens} overlap, {s.FailedDocuments} failed documents); {r.FailedQueries} refused queries."));
            }
        }

        if (report.Answers is { } a)
        {
            md.AppendLine(Inv($"# Answers: {a.Dataset}")).AppendLine();
            md.AppendLine(Inv($"{a.Questions} questions through the ask pipeline (hybrid top {a.TopK}, generator `{a.Generator}`, judge `{a.Judge ?? "lexical"}`, model `{a.Model}`)."));
            if (a.JudgeFallbacks is { } answerFallbacks)
            {
                md.AppendLine().AppendLine(Inv($"LLM judge fell back to the lexical verdicts on {answerFallbacks} answers."));
            }

            md.AppendLine();
            md.AppendLine("| questions | answered | abstained | support ratio | citation precision | citation recall | answer contains gold | … when answered | p50 ms | p95 ms |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
            md.AppendLine(Inv($"| {a.Questions} | {a.Answered} | {a.Abstained:0.0000} | {a.SupportRatio:0.0000} | {a.CitationPrecision:0.0000} | {a.CitationRecall:0.0000} | {a.AnswerContainsGold:0.0000} | {a.AnswerContainsGoldWhenAnswered:0.0000} | {a.LatencyMs?.P50:0} | {a.LatencyMs?.P95:0} |"));
            if (a.AbstentionReasons is { Count: > 0 })
            {
                md.AppendLine().AppendLine("Abstentions: " + string.Join(", ", a.AbstentionReasons.Select(p => Inv($"{p.Key} {p.Value}"))) + ".");
            }

            md.AppendLine().AppendLine("Support ratio is averaged over answered questions; citation precision over answered questions that cite; citation recall over answered questions; answer-contains-gold over all questions (an abstention is a miss).");
        }

        if (report.Groundedness is { } g)
        {
            md.AppendLine(Inv($"# Groundedness: {g.Dataset}")).AppendLine();
            md.AppendLine(Inv($"Detector: {g.Detector}. {g.Aggregation}."));
            if (g.JudgeFallbacks is { } claimFallbacks)
            {
                md.AppendLine().AppendLine(Inv($"LLM judge `{g.JudgeModel}`: fell back to the lexical verdicts on {claimFallbacks} claims."));
            }

            if (g.ExamplesInDataset is { } whole)
            {
                md.AppendLine().AppendLine(Inv($"An evenly spaced subset (`--limit`) of the dataset's {whole} examples."));
            }

            md.AppendLine();
            md.AppendLine(Inv($"| group | n | consistent | BA @ service threshold {g.Threshold} | BA held-out threshold | (threshold) | BA oracle threshold (upper bound) | (threshold) |"));
            md.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var (group, acc) in g.Groups)
            {
                var held = g.HeldOut?.Groups.GetValueOrDefault(group);
                var oracle = g.Oracle?.Groups.GetValueOrDefault(group);
                md.AppendLine(Inv($"| {group} | {acc.N} | {acc.Positives} | {acc.BalancedAccuracy:0.0000} | {held?.BalancedAccuracy:0.0000} | {g.HeldOut?.Thresholds.GetValueOrDefault(group):0.000} | {oracle?.BalancedAccuracy:0.0000} | {g.Oracle?.Thresholds.GetValueOrDefault(group):0.000} |"));
            }

            md.AppendLine(Inv($"| **mean** | | | **{g.MeanBalancedAccuracy:0.0000}** | {g.HeldOut?.MeanBalancedAccuracy:0.0000} | | {g.Oracle?.MeanBalancedAccuracy:0.0000} | |"));
            md.AppendLine().AppendLine("Held-out: " + g.HeldOut?.Method + ". Oracle: " + g.Oracle?.Method + ".");
        }

        md.AppendLine().AppendLine(Inv($"![chart]({ChartFile})"));
        if (!string.IsNullOrWhiteSpace(notes))
        {
            md.AppendLine().AppendLine(notes.Trim());
        }

        return md.ToString();
    }

    private static string Inv(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
