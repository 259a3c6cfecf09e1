using System.Globalization;
using System.Text.Json;
using Retrieval.Core.Query;
using Retrieval.Eval.Cli;
using Retrieval.Eval.Datasets;
using Retrieval.Eval.Reports;
using Retrieval.Eval.Running;
using Xunit.Abstractions;

namespace Retrieval.Eval.Tests;

/// <summary>
/// CI's retrieval-quality gate: Cranfield (all queries) and a fixed slice of SciFact, lexical + dense + hybrid with
/// MiniLM, through the same code as the CLI. Thresholds live in eval/gates/retrieval.json, just below the measured
/// values; a regression fails naming the metric, mode, measurement and threshold. Missing datasets fail (never skip):
/// CI clones the repository with shared/ beside it.
/// </summary>
[Trait("Category", "Gate")]
public class RegressionGateTests
{
    private readonly ITestOutputHelper _output;

    public RegressionGateTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public Task Cranfield_AllModes_MeetGate() => RunGateAsync("cranfield");

    [Fact]
    public Task SciFactSlice_AllModes_MeetGate() => RunGateAsync("scifact-slice");

    private async Task RunGateAsync(string name)
    {
        var gate = GateFile.Load();
        var entry = gate.Datasets[name];
        var datasets = FindDatasets();
        var folder = Path.Combine(datasets, entry.Folder);
        var dataset = EvalCli.LoadRetrievalDataset(folder, entry.Format, "train");
        if (entry.SliceQueries is { } queries)
        {
            dataset = dataset.Slice(queries, entry.SliceDistractors ?? 0, $"{dataset.Name}-gate{queries}");
        }

        var store = RepositoryPaths.CacheStore($"{dataset.Name}-{gate.Model}", AppContext.BaseDirectory);
        await using var services = await EvalServices.CreateAsync(store, gate.Model, null, CancellationToken.None);
        var modes = entry.Thresholds.Keys.Select(RetrievalModes.Parse).ToList();
        var progress = new SilentProgress();
        var report = await RetrievalEvaluator.RunAsync(services, dataset, modes, new RetrievalRunOptions(), progress, CancellationToken.None);
        foreach (var note in progress.Notes)
        {
            _output.WriteLine(note);
        }

        _output.WriteLine(JsonSerializer.Serialize(report.Modes, ReportWriter.JsonOptions));
        var failures = Compare(name, report, entry.Thresholds);
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>Every threshold that the measurement falls below, as "dataset/mode metric: measured X &lt; threshold Y".</summary>
    public static IReadOnlyList<string> Compare(string name, RetrievalReport report, IReadOnlyDictionary<string, Dictionary<string, double>> thresholds)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(thresholds);
        var failures = new List<string>();
        foreach (var (mode, metrics) in thresholds)
        {
            if (!report.Modes.TryGetValue(mode, out var measured))
            {
                failures.Add($"{name}/{mode}: mode was not measured");
                continue;
            }

            foreach (var (metric, threshold) in metrics)
            {
                var value = measured.Get(metric);
                if (value is null)
                {
                    failures.Add($"{name}/{mode} {metric}: unknown metric in the gate file");
                }
                else if (value < threshold)
                {
                    failures.Add(string.Create(CultureInfo.InvariantCulture, $"{name}/{mode} {metric}: measured {value:0.0000} < threshold {threshold:0.0000}"));
                }
            }
        }

        return failures;
    }

    /// <summary>Walks up from the test's folder to the first one holding shared/datasets (CI: /path/main beside /path/shared).</summary>
    internal static string FindDatasets()
    {
        var configured = Environment.GetEnvironmentVariable("RETRIEVAL_DATASETS");
        if (!string.IsNullOrWhiteSpace(configured) && Directory.Exists(configured))
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "datasets");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"The evaluation datasets were not found: no shared/datasets folder above {AppContext.BaseDirectory} " +
            "(clone the repository beside shared/, or set RETRIEVAL_DATASETS). The quality gate cannot pass without them.");
        return string.Empty;
    }

    [Fact]
    public void Compare_MetricBelowThreshold_NamesMetricModeMeasuredAndThreshold()
    {
        var report = new RetrievalReport
        {
            Dataset = "d",
            Split = "train",
            Corpus = 1,
            Queries = 1,
            Model = "minilm",
            Modes = new Dictionary<string, ModeMetrics> { ["hybrid"] = new(0.5, 0.6, 0.1, 0.2, 0.3, 0.9, new LatencySummary(1, 2)) },
        };
        var thresholds = new Dictionary<string, Dictionary<string, double>>
        {
            ["hybrid"] = new() { ["ndcg@10"] = 0.55, ["recall@100"] = 0.8 },
            ["dense"] = new() { ["ndcg@10"] = 0.1 },
        };

        var failures = Compare("d", report, thresholds);

        Assert.Equal(2, failures.Count);
        Assert.Contains("d/hybrid ndcg@10: measured 0.5000 < threshold 0.5500", failures);
        Assert.Contains("d/dense: mode was not measured", failures);
    }

    [Fact]
    public void GateFile_ParsesAndCoversBothDatasetsAndAllModes()
    {
        var gate = GateFile.Load();

        Assert.Equal("minilm", gate.Model);
        foreach (var name in new[] { "cranfield", "scifact-slice" })
        {
            Assert.Equal(["dense", "dense+lexical", "hybrid", "lexical"], gate.Datasets[name].Thresholds.Keys.Order(StringComparer.Ordinal));
            Assert.All(gate.Datasets[name].Thresholds.Values, m => Assert.True(m["ndcg@10"] > 0.1));
        }
    }

    internal sealed class GateFile
    {
        private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

        public required string Model { get; init; }

        public required Dictionary<string, GateEntry> Datasets { get; init; }

        public static GateFile Load()
        {
            var path = Path.Combine(RepositoryPaths.Root(AppContext.BaseDirectory), "eval", "gates", "retrieval.json");
            Assert.True(File.Exists(path), $"Gate thresholds not found at {path}");
            return JsonSerializer.Deserialize<GateFile>(File.ReadAllText(path), Options)
                ?? throw new InvalidDataException(path);
        }
    }

    internal sealed class GateEntry
    {
        public required string Folder { get; init; }

        public string? Format { get; init; }

        public int? SliceQueries { get; init; }

        public int? SliceDistractors { get; init; }

        public required Dictionary<string, Dictionary<string, double>> Thresholds { get; init; }
    }
}
