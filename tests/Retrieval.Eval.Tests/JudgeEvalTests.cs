using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Retrieval.Eval.Cli;
using Spectre.Console.Testing;

namespace Retrieval.Eval.Tests;

/// <summary><c>--judge llm</c>: the groundedness and answers commands with the LLM judge, against a recorded OpenAI-compatible exchange.</summary>
public sealed partial class JudgeEvalTests
{
    private const string Doc = "The council approved the new bridge on Monday.";

    private static readonly Func<string, string?> NoEnvironment = _ => null;

    private static string WriteSummEdits(TempDirectory dir)
    {
        // The second claim shares most words with the document, so lexical coverage calls it consistent; it is not.
        dir.Write("se/summedits_news.json",
            $$"""[{"doc":"{{Doc}}","summary":"The council approved the bridge.","label":1},""" +
            $$"""{"doc":"{{Doc}}","summary":"The council rejected the bridge.","label":0}]""");
        return Path.Combine(dir.Path, "se");
    }

    [Theory]
    [InlineData("groundedness")]
    [InlineData("answers")]
    public async Task Cli_JudgeLlmWithoutEndpoint_ExitsNonZeroNamingLlmEndpoint(string command)
    {
        using var dir = new TempDirectory();
        var console = new TestConsole();

        var exit = await EvalCli.RunAsync([command, "--dataset", WriteSummEdits(dir), "--judge", "llm"], console, CancellationToken.None, NoEnvironment);

        Assert.Equal(EvalCli.BadUsage, exit);
        Assert.Contains("LLM_ENDPOINT", console.Output, StringComparison.Ordinal);
        Assert.Contains("--judge llm needs an OpenAI-compatible LLM", console.Output.ReplaceLineEndings(string.Empty), StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_EndpointWithoutModel_IsUsageError()
    {
        var options = EvalOptions.Parse(["groundedness", "--dataset", "x", "--judge", "llm"]);

        var error = Assert.Throws<UsageException>(() => JudgeSettings.Resolve(options, name => name == "LLM_ENDPOINT" ? "http://127.0.0.1:9/v1" : null));

        Assert.Contains("LLM_MODEL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_EnvironmentFillsWhatSetDoesNot_AndSelectsLlmJudge()
    {
        var options = EvalOptions.Parse(["answers", "--dataset", "x", "--judge", "LLM", "--set", "Retrieval:Llm:Model=from-set"]);

        var settings = JudgeSettings.Resolve(options, name => name switch { "LLM_ENDPOINT" => "http://h/v1", "LLM_MODEL" => "from-env", _ => null });

        Assert.Equal("http://h/v1", settings["Retrieval:Llm:Endpoint"]);
        Assert.Equal("from-set", settings["Retrieval:Llm:Model"]);
        Assert.Equal("Llm", settings["Retrieval:Verification:Judge"]);
    }

    [Fact]
    public void Resolve_LexicalJudge_LeavesSettingsAlone()
    {
        var options = EvalOptions.Parse(["answers", "--dataset", "x", "--set", "Retrieval:Answer:MaxSources=3"]);

        Assert.Same(options.Settings, JudgeSettings.Resolve(options, _ => "http://h/v1"));
    }

    [Fact]
    public void Parse_UnknownJudge_IsUsageError() =>
        Assert.Contains("--judge", Assert.Throws<UsageException>(() => EvalOptions.Parse(["groundedness", "--dataset", "x", "--judge", "nli"])).Message, StringComparison.Ordinal);

    [Fact]
    public async Task Groundedness_JudgeLlm_UsesTheJudgesVerdicts()
    {
        using var dir = new TempDirectory();
        var dataset = WriteSummEdits(dir);
        await using var llm = RecordedJudge.Start(text => text.Contains("rejected", StringComparison.Ordinal) ? "contradicted" : "supported");
        var output = Path.Combine(dir.Path, "out");
        var console = new TestConsole();

        var exit = await EvalCli.RunAsync(
            ["groundedness", "--dataset", dataset, "--judge", "llm", "--out", output], console, CancellationToken.None,
            name => name switch { "LLM_ENDPOINT" => llm.Endpoint, "LLM_MODEL" => "recorded-model", _ => null });

        Assert.True(exit == EvalCli.Ok, console.Output);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "report.json")));
        var report = json.RootElement.GetProperty("groundedness");
        Assert.Contains("llm", report.GetProperty("detector").GetString()!, StringComparison.Ordinal);
        Assert.Equal("recorded-model", report.GetProperty("judgeModel").GetString());
        Assert.Equal(0, report.GetProperty("judgeFallbacks").GetInt32());
        Assert.Equal(1.0, report.GetProperty("groups").GetProperty("news").GetProperty("balancedAccuracy").GetDouble(), 4);
        Assert.Equal(2, llm.Requests);

        // The lexical verifier cannot tell these two apart: the judge is what made the difference.
        var lexical = Path.Combine(dir.Path, "lexical");
        Assert.Equal(EvalCli.Ok, await EvalCli.RunAsync(["groundedness", "--dataset", dataset, "--out", lexical], new TestConsole(), CancellationToken.None, NoEnvironment));
        using var lexicalJson = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(lexical, "report.json")));
        Assert.Equal(0.5, lexicalJson.RootElement.GetProperty("groundedness").GetProperty("groups").GetProperty("news").GetProperty("balancedAccuracy").GetDouble(), 4);
    }

    [Fact]
    public async Task Groundedness_JudgeRepliesGarbage_FallbacksCounted()
    {
        using var dir = new TempDirectory();
        await using var llm = RecordedJudge.Start(_ => null);
        var output = Path.Combine(dir.Path, "out");

        var exit = await EvalCli.RunAsync(
            ["groundedness", "--dataset", WriteSummEdits(dir), "--judge", "llm", "--set", "Retrieval:Llm:Endpoint=" + llm.Endpoint, "--set", "Retrieval:Llm:Model=m", "--out", output],
            new TestConsole(), CancellationToken.None, NoEnvironment);

        Assert.Equal(EvalCli.Ok, exit);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "report.json")));
        Assert.Equal(2, json.RootElement.GetProperty("groundedness").GetProperty("judgeFallbacks").GetInt32());
    }

    [Fact]
    public async Task Answers_JudgeLlm_ReportsTheLlmJudge()
    {
        using var dir = new TempDirectory();
        dir.Write("tiny/corpus.jsonl",
            """{"_id":"volcano","title":"Volcanoes","text":"Magma rises through the crust and erupts as lava from a volcano. Basalt forms when lava cools."}""" + "\n" +
            """{"_id":"bees","title":"Honey bees","text":"Honey bees communicate the direction of flowers with a waggle dance inside the hive."}""" + "\n");
        dir.Write("tiny/queries.jsonl", """{"_id":"q1","text":"lava erupts from volcano","answer":"lava","answer_aliases":[]}""" + "\n");
        dir.Write("tiny/qrels/train.tsv", "query-id\tcorpus-id\tscore\nq1\tvolcano\t1\n");
        await using var llm = RecordedJudge.Start(_ => "supported", answer: "Magma erupts as lava from a volcano [1].");
        var output = Path.Combine(dir.Path, "out");
        var console = new TestConsole();

        var exit = await EvalCli.RunAsync(
            ["answers", "--dataset", Path.Combine(dir.Path, "tiny"), "--model", "minilm", "--store", Path.Combine(dir.Path, "store"), "--judge", "llm", "--out", output],
            console, CancellationToken.None, name => name switch { "LLM_ENDPOINT" => llm.Endpoint, "LLM_MODEL" => "recorded-model", _ => null });

        Assert.True(exit == EvalCli.Ok, console.Output);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "report.json")));
        var answers = json.RootElement.GetProperty("answers");
        Assert.Equal("llm", answers.GetProperty("judge").GetString());
        Assert.Equal("llm", answers.GetProperty("generator").GetString());
        Assert.Equal(0, answers.GetProperty("judgeFallbacks").GetInt32());
        Assert.Equal(2, llm.Requests);
        Assert.Equal(1, llm.JudgeRequests);
    }

    /// <summary>
    /// A loopback OpenAI-compatible chat-completions endpoint that answers judge requests: the verdict for each fenced
    /// sentence comes from <c>verdict(text)</c>; a null verdict replies with prose instead of JSON.
    /// </summary>
    private sealed partial class RecordedJudge : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Func<string, string?> _verdict;
        private readonly string? _answer;
        private readonly Task _loop;
        private int _requests;
        private int _judgeRequests;

        private RecordedJudge(Func<string, string?> verdict, string? answer, int port)
        {
            _verdict = verdict;
            _answer = answer;
            Endpoint = $"http://127.0.0.1:{port}/v1";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Endpoint { get; }

        public int Requests => Volatile.Read(ref _requests);

        public int JudgeRequests => Volatile.Read(ref _judgeRequests);

        /// <summary>Judge requests get verdicts; any other request (an answer) gets <paramref name="answer"/>.</summary>
        public static RecordedJudge Start(Func<string, string?> verdict, string? answer = null)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return new RecordedJudge(verdict, answer, port);
        }

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                Interlocked.Increment(ref _requests);
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                using var request = JsonDocument.Parse(await reader.ReadToEndAsync());
                var user = request.RootElement.GetProperty("messages").EnumerateArray().Last(m => m.GetProperty("role").GetString() == "user").GetProperty("content").GetString()!;
                var judging = user.Contains("Sentences to judge:", StringComparison.Ordinal);
                if (judging)
                {
                    Interlocked.Increment(ref _judgeRequests);
                }

                var sentences = Sentence().Matches(user).Select(m => (Id: int.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture), Verdict: _verdict(m.Groups["text"].Value))).ToList();
                var content = !judging ? _answer ?? "I cannot answer from the sources."
                    : sentences.Any(s => s.Verdict is null)
                    ? "I think the claims look fine."
                    : JsonSerializer.Serialize(new { verdicts = sentences.Select(s => new { sentence = s.Id, verdict = s.Verdict, reason = "recorded" }) });
                var body = JsonSerializer.SerializeToUtf8Bytes(new
                {
                    id = "chatcmpl-recorded",
                    @object = "chat.completion",
                    created = 1_700_000_000,
                    model = "recorded-model",
                    choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
                });
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _loop;
        }

        [GeneratedRegex(@"<<<SENTENCE (?<n>\d+)>>>(?<text>.*?)<<<END SENTENCE \k<n>>>>", RegexOptions.Singleline)]
        private static partial Regex Sentence();
    }
}
