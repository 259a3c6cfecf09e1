using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core;
using Retrieval.Core.Answering;
using Retrieval.Core.Options;
using Retrieval.Core.Query;
using Retrieval.Eval.Datasets;
using Retrieval.Eval.Reports;
using Retrieval.Eval.Running;
using Retrieval.Llm;
using Spectre.Console;

namespace Retrieval.Eval.Cli;

/// <summary>Runs one command line: loads the dataset, runs the evaluation, prints the table and writes the reports.</summary>
public static class EvalCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadUsage = 2;
    public const int BadData = 3;

    /// <summary>Runs the command line; <paramref name="environment"/> (default: the process environment) supplies LLM_ENDPOINT, LLM_MODEL, LLM_API_KEY.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, IAnsiConsole console, CancellationToken cancellationToken, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        environment ??= Environment.GetEnvironmentVariable;
        try
        {
            var options = EvalOptions.Parse(args);
            var report = options.Command switch
            {
                "retrieval" => await RetrievalAsync(options, console, cancellationToken),
                "answers" => await AnswersAsync(options, environment, console, cancellationToken),
                _ => await GroundednessAsync(options, environment, console, cancellationToken),
            };
            var name = report.Retrieval?.Dataset ?? report.Answers?.Dataset ?? report.Groundedness!.Dataset;
            var suffix = options.Command == "retrieval" ? string.Empty : "-" + options.Command;
            var outDir = options.Out ?? Path.Combine(RepositoryPaths.Root(), "eval", "results", name + suffix);
            var files = await ReportWriter.WriteAsync(report, outDir, null, cancellationToken);
            ResultTable.Print(console, report);
            console.MarkupLine("[green]Wrote[/] " + Markup.Escape(string.Join(", ", files)));
            return Ok;
        }
        catch (UsageException ex)
        {
            console.MarkupLine("[red]error:[/] " + Markup.Escape(ex.Message));
            console.WriteLine(EvalOptions.Usage);
            return BadUsage;
        }
        catch (DatasetFormatException ex)
        {
            console.MarkupLine("[red]malformed dataset:[/] " + Markup.Escape(ex.Message));
            return BadData;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            console.MarkupLine("[red]error:[/] " + Markup.Escape(ex.Message));
            return BadData;
        }
        catch (Exception ex) when (ex is Microsoft.Extensions.Options.OptionsValidationException or ValidationException)
        {
            console.MarkupLine("[red]invalid setting:[/] " + Markup.Escape(ex.Message));
            return BadUsage;
        }
    }

    public static RetrievalDataset LoadRetrievalDataset(string directory, string? format, string split)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Dataset folder not found: {directory}");
        }

        format ??= File.Exists(Path.Combine(directory, CranfieldLoader.CorpusFile)) ? "cranfield" : "beir";
        return format == "cranfield" ? CranfieldLoader.Load(directory) : BeirLoader.Load(directory, split);
    }

    private static async Task<EvalReport> RetrievalAsync(EvalOptions options, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var dataset = LoadRetrievalDataset(options.Dataset, options.Format, options.Split);
        var modes = options.Modes.Select(RetrievalModes.Parse).Distinct().ToList();
        var store = options.Store ?? RepositoryPaths.CacheStore($"{dataset.Name}-{options.Model ?? new EmbeddingOptions().Model}");
        await using var services = await EvalServices.CreateAsync(store, options.Model, options.Settings, cancellationToken);
        var report = await ConsoleProgress.RunAsync(console, progress => RetrievalEvaluator.RunAsync(
            services,
            dataset,
            modes,
            new RetrievalRunOptions { LimitQueries = options.LimitQueries, Queries = options.Queries, ChunkDepth = options.Depth ?? RetrievalEvaluator.DefaultChunkDepth, TuneFusion = options.TuneFusion },
            progress,
            cancellationToken));
        return new EvalReport { Retrieval = report with { Settings = options.Settings.Count > 0 ? options.Settings : null } };
    }

    private static async Task<EvalReport> AnswersAsync(EvalOptions options, Func<string, string?> environment, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var settings = JudgeSettings.Resolve(options, environment);
        var dataset = LoadRetrievalDataset(options.Dataset, "beir", options.Split);
        var store = options.Store ?? RepositoryPaths.CacheStore($"{dataset.Name}-{options.Model ?? new EmbeddingOptions().Model}");
        await using var services = await EvalServices.CreateAsync(store, options.Model, settings, cancellationToken);
        var report = await ConsoleProgress.RunAsync(console, progress =>
            AnswerEvaluator.RunAsync(services, dataset, options.LimitQueries, options.TopK, progress, cancellationToken));
        return new EvalReport { Answers = report };
    }

    private static async Task<EvalReport> GroundednessAsync(EvalOptions options, Func<string, string?> environment, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var settings = JudgeSettings.Resolve(options, environment);
        if (!Directory.Exists(options.Dataset))
        {
            throw new DirectoryNotFoundException($"Dataset folder not found: {options.Dataset}");
        }

        var format = options.Format
            ?? (Directory.EnumerateFiles(options.Dataset, "summedits_*.json").Any() ? "summedits" : "qags");
        var all = format == "qags" ? QagsLoader.Load(options.Dataset) : SummEditsLoader.Load(options.Dataset);
        var examples = options.Limit is { } limit ? GroundednessEvaluator.Spaced(all, limit) : all;

        // The threshold and judge the running service applies: read from its own composition, not copied here.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Error));
        services.AddRetrievalCore();
        services.AddOptions<AnswerOptions>().BindConfiguration(AnswerOptions.Section);
        services.AddLlmAnswering(configuration);
        await using var provider = services.BuildServiceProvider();
        var threshold = provider.GetRequiredService<AnswerVerifier>().SupportThreshold;
        var name = BeirLoader.DatasetName(options.Dataset);
        GroundednessReport report;
        if (options.Judge == "llm")
        {
            _ = provider.GetRequiredService<IOptions<LlmOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<VerificationOptions>>().Value;
            var judge = provider.GetRequiredService<IAnswerJudge>();
            report = await ConsoleProgress.RunAsync(console, progress => GroundednessEvaluator.RunWithJudgeAsync(
                name, format, examples, judge, options.Parallel ?? 4, progress, cancellationToken));
            report = report with { JudgeModel = provider.GetRequiredService<IOptions<LlmOptions>>().Value.Model };
        }
        else
        {
            report = await ConsoleProgress.RunAsync(console, progress =>
                Task.FromResult(GroundednessEvaluator.Run(name, format, examples, threshold, progress)));
        }

        return new EvalReport { Groundedness = examples.Count < all.Count ? report with { ExamplesInDataset = all.Count } : report };
    }
}

/// <summary>The result table printed at the end of a run.</summary>
internal static class ResultTable
{
    public static void Print(IAnsiConsole console, EvalReport report)
    {
        var table = new Table().RoundedBorder();
        var inv = CultureInfo.InvariantCulture;
        if (report.Retrieval is { } r)
        {
            table.Title($"{Markup.Escape(r.Dataset)} · {r.Queries} queries · {r.Corpus} docs · {Markup.Escape(r.Model)}");
            table.AddColumns("mode", "nDCG@10", "MRR@10", "R@2", "R@5", "R@10", "R@100", "p50 ms", "p95 ms");
            foreach (var (mode, m) in r.Modes)
            {
                table.AddRow([mode, .. m.Values().Select(v => v.Value.ToString("0.0000", inv)), m.LatencyMs.P50.ToString("0.0", inv), m.LatencyMs.P95.ToString("0.0", inv)]);
            }

            console.Write(table);
            if (r.FusionTuning is { } t)
            {
                console.WriteLine(string.Create(inv, $"Fusion tuning: chosen DenseWeight={t.Chosen.DenseWeight} LexicalWeight={t.Chosen.LexicalWeight} RrfK={t.Chosen.RrfK}: held-out nDCG@10 {t.Chosen.HeldOutNdcg10:0.0000} vs default {t.Default.HeldOutNdcg10:0.0000}"));
            }
        }
        else if (report.Answers is { } a)
        {
            table.Title($"{Markup.Escape(a.Dataset)} · answers");
            table.AddColumns("questions", "abstained", "support ratio", "citation P", "citation R", "contains gold");
            table.AddRow(a.Questions.ToString(inv), a.Abstained.ToString("0.0000", inv), a.SupportRatio.ToString("0.0000", inv),
                a.CitationPrecision.ToString("0.0000", inv), a.CitationRecall.ToString("0.0000", inv), a.AnswerContainsGold.ToString("0.0000", inv));
            console.Write(table);
        }
        else if (report.Groundedness is { } g)
        {
            table.Title($"{Markup.Escape(g.Dataset)} · {Markup.Escape(g.Detector)}");
            table.AddColumns("group", "n", $"BA @ {g.Threshold.ToString(inv)}", "BA held-out thr.", "BA oracle thr. (upper bound)");
            foreach (var (group, acc) in g.Groups)
            {
                table.AddRow(group, acc.N.ToString(inv), acc.BalancedAccuracy.ToString("0.0000", inv),
                    (g.HeldOut?.Groups[group].BalancedAccuracy ?? 0).ToString("0.0000", inv),
                    (g.Oracle?.Groups[group].BalancedAccuracy ?? 0).ToString("0.0000", inv));
            }

            table.AddRow("mean", string.Empty, g.MeanBalancedAccuracy.ToString("0.0000", inv),
                (g.HeldOut?.MeanBalancedAccuracy ?? 0).ToString("0.0000", inv), (g.Oracle?.MeanBalancedAccuracy ?? 0).ToString("0.0000", inv));
            console.Write(table);
        }
    }
}
