using System.Text.Json;
using Retrieval.Eval.Cli;
using Spectre.Console.Testing;

namespace Retrieval.Eval.Tests;

/// <summary>The whole tool over a tiny generated corpus: service composition, ingestion, search, metrics, reports.</summary>
public class EndToEndTests
{
    private static readonly (string Id, string Title, string Text)[] Documents =
    [
        ("volcano", "Volcanoes", "Magma rises through the crust and erupts as lava from a volcano. Basalt forms when lava cools."),
        ("tides", "Ocean tides", "The gravitational pull of the moon raises the tides twice a day along the coast."),
        ("bread", "Sourdough bread", "Sourdough bread is leavened by wild yeast and lactobacilli living in a flour starter."),
        ("chess", "Chess openings", "The Sicilian Defence answers the king's pawn opening with the c-pawn."),
        ("bees", "Honey bees", "Honey bees communicate the direction of flowers with a waggle dance inside the hive."),
        ("comets", "Comets", "A comet's tail of gas and dust points away from the sun, pushed by the solar wind."),
    ];

    private static string WriteCorpus(TempDirectory dir)
    {
        var root = Path.Combine(dir.Path, "tiny");
        dir.Write("tiny/corpus.jsonl", string.Join('\n', Documents.Select(d => JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = d.Id, ["title"] = d.Title, ["text"] = d.Text }))) + "\n");
        dir.Write("tiny/queries.jsonl",
            """{"_id":"q1","text":"lava erupts from volcano","answer":"lava","answer_aliases":[]}""" + "\n" +
            """{"_id":"q2","text":"sourdough starter yeast","answer":"wild yeast","answer_aliases":[]}""" + "\n" +
            """{"_id":"q3","text":"waggle dance of honey bees","answer":"waggle dance","answer_aliases":[]}""" + "\n" +
            """{"_id":"q4","text":"unjudged query about nothing","answer":"x","answer_aliases":[]}""" + "\n");
        dir.Write("tiny/qrels/train.tsv", "query-id\tcorpus-id\tscore\nq1\tvolcano\t1\nq2\tbread\t1\nq3\tbees\t1\n");
        return root;
    }

    [Fact]
    public async Task Retrieval_TinyCorpus_WritesContractReportAndReusesStore()
    {
        using var dir = new TempDirectory();
        var dataset = WriteCorpus(dir);
        var store = Path.Combine(dir.Path, "store");
        var output = Path.Combine(dir.Path, "out");
        string[] args = ["retrieval", "--dataset", dataset, "--modes", "lexical,dense,hybrid", "--model", "minilm", "--store", store, "--out", output];

        var console = new TestConsole();
        var exit = await EvalCli.RunAsync(args, console, CancellationToken.None);

        Assert.True(exit == EvalCli.Ok, console.Output);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "report.json")));
        var retrieval = json.RootElement.GetProperty("retrieval");
        Assert.Equal("tiny", retrieval.GetProperty("dataset").GetString());
        Assert.Equal("train", retrieval.GetProperty("split").GetString());
        Assert.Equal(6, retrieval.GetProperty("corpus").GetInt32());
        Assert.Equal(3, retrieval.GetProperty("queries").GetInt32());
        Assert.Equal("minilm", retrieval.GetProperty("model").GetString());
        foreach (var mode in new[] { "lexical", "dense", "hybrid" })
        {
            var metrics = retrieval.GetProperty("modes").GetProperty(mode);
            foreach (var key in new[] { "ndcg@10", "mrr@10", "recall@2", "recall@5", "recall@10", "recall@100" })
            {
                Assert.True(metrics.TryGetProperty(key, out _), $"{mode} lacks {key}");
            }

            Assert.True(metrics.GetProperty("latencyMs").GetProperty("p95").GetDouble() > 0);

            // Each query names its document's distinctive words: every mode must put it first.
            Assert.Equal(1.0, metrics.GetProperty("ndcg@10").GetDouble(), 4);
            Assert.Equal(1.0, metrics.GetProperty("mrr@10").GetDouble(), 4);
        }

        Assert.True(File.Exists(Path.Combine(output, "report.md")));
        Assert.True(new FileInfo(Path.Combine(output, "chart.png")).Length > 1000);
        Assert.False(retrieval.GetProperty("store").GetProperty("reused").GetBoolean());

        var again = new TestConsole();
        Assert.Equal(EvalCli.Ok, await EvalCli.RunAsync(args, again, CancellationToken.None));
        Assert.Contains("Store reused", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_TinyCorpus_ReportsContractFields()
    {
        using var dir = new TempDirectory();
        var dataset = WriteCorpus(dir);
        var output = Path.Combine(dir.Path, "answers");

        var console = new TestConsole();
        var exit = await EvalCli.RunAsync(
            ["answers", "--dataset", dataset, "--model", "minilm", "--store", Path.Combine(dir.Path, "store"), "--out", output], console, CancellationToken.None);

        Assert.True(exit == EvalCli.Ok, console.Output);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "report.json")));
        var answers = json.RootElement.GetProperty("answers");
        Assert.Equal(3, answers.GetProperty("questions").GetInt32());
        foreach (var key in new[] { "abstained", "supportRatio", "citationPrecision", "citationRecall", "answerContainsGold" })
        {
            var value = answers.GetProperty(key).GetDouble();
            Assert.InRange(value, 0, 1);
        }
    }

    [Fact]
    public async Task Groundedness_SummEditsFolder_ReportsPerDomainAndOracle()
    {
        using var dir = new TempDirectory();
        dir.Write("se/summedits_news.json",
            """[{"doc":"The council approved the new bridge on Monday.","summary":"The council approved the bridge.","label":1},""" +
            """{"doc":"The council approved the new bridge on Monday.","summary":"The council rejected a tunnel in 1999.","label":0}]""");
        var output = Path.Combine(dir.Path, "out");

        var console = new TestConsole();
        var exit = await EvalCli.RunAsync(["groundedness", "--dataset", Path.Combine(dir.Path, "se"), "--out", output], console, CancellationToken.None);

        Assert.True(exit == EvalCli.Ok, console.Output);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "report.json")));
        var report = json.RootElement.GetProperty("groundedness");
        Assert.Equal("answer-verifier (lexical coverage)", report.GetProperty("detector").GetString());
        var news = report.GetProperty("groups").GetProperty("news");
        Assert.Equal(2, news.GetProperty("n").GetInt32());
        Assert.Equal(1.0, news.GetProperty("balancedAccuracy").GetDouble(), 4);
        Assert.Equal(1.0, report.GetProperty("meanBalancedAccuracy").GetDouble(), 4);
    }

    [Fact]
    public async Task Cli_MalformedDataset_ExitsNonZeroNamingFileAndLine()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("bad/mturk_xsum.jsonl", """{"article":"A","summary_sentences":[]}""" + "\n" + "{not json\n");

        var console = new TestConsole();
        var exit = await EvalCli.RunAsync(["groundedness", "--dataset", Path.Combine(dir.Path, "bad"), "--format", "qags"], console, CancellationToken.None);

        Assert.Equal(EvalCli.BadData, exit);
        Assert.Contains(path + ":2:", console.Output.Replace("\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_UnknownOption_ExitsWithUsage()
    {
        var console = new TestConsole();
        var exit = await EvalCli.RunAsync(["retrieval", "--dataset", "x", "--colour", "red"], console, CancellationToken.None);

        Assert.Equal(EvalCli.BadUsage, exit);
        Assert.Contains("--colour", console.Output, StringComparison.Ordinal);
    }
}
