using System.Net;
using Retrieval.Cli.Tests.Support;

namespace Retrieval.Cli.Tests;

/// <summary><c>retrieval ask</c> says which answer judge decided, and why the LLM judge did not.</summary>
public sealed class AskJudgeOutputTests
{
    private const string Url = "http://retrieval.test:8080";

    private static FakeHandler Answer(string judge, string? fallback) => FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.OK, $$"""
        {"answer":"Rotate the signing key every 90 days [1].","citations":[],"abstained":false,"reason":null,
         "support":{"ratio":1,"sentences":[{"text":"Rotate the signing key every 90 days.","citations":[1],"supported":true,"score":0.9,
                    "judgeReason":"Source 1 says so."}],"removed":0,"judge":"{{judge}}","judgeFallback":{{(fallback is null ? "null" : $"\"{fallback}\"")}}},
         "generator":"llm","timings":{"totalMs":40},"fallback":null}
        """));

    [Fact]
    public async Task Ask_LlmJudgeDecided_SaysSo()
    {
        var result = await CliRunner.RunAsync(Answer("llm", null), "ask", "How often do keys rotate?", "--url", Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("(1 of 1 sentences), llm judge", result.Output);
    }

    [Fact]
    public async Task Ask_LlmJudgeFellBack_SaysLexicalAndWhy()
    {
        var result = await CliRunner.RunAsync(Answer("lexical", "judge_malformed"), "ask", "How often do keys rotate?", "--url", Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("lexical judge (LLM judge unavailable: judge_malformed)", result.Output);
    }
}
