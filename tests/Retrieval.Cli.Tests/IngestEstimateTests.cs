using System.Net;
using Retrieval.Cli.Tests.Support;

namespace Retrieval.Cli.Tests;

/// <summary>The LLM graph extraction estimate: printed before a job starts, and alone with <c>--dry-run</c>.</summary>
public sealed class IngestEstimateTests : IDisposable
{
    private const string Url = "http://retrieval.test";

    private const string Estimate = """
        {"extractor":"llm:graph-extract/1:gpt-4o-mini","documents":2,"unreadableDocuments":0,"chunks":14,
         "promptTokens":9870,"completionTokens":14336,"totalTokens":24206,"cost":0.0235,"maxTokensPerJob":200000,"overBudget":false}
        """;

    private const string Succeeded = """
        {"id":"j-1","state":"succeeded","documents":{"total":1,"succeeded":1,"failed":0},"chunks":3,"tokens":100,"errors":[],
         "attempts":1,"executionProvider":"cpu","createdAt":"2025-01-01T00:00:00Z","startedAt":null,"finishedAt":null}
        """;

    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Ingest_AcceptedWithGraphEstimate_PrintsEstimateBeforeWaiting()
    {
        folder.Write("a.md", "Ada Lovelace");
        var handler = new FakeHandler((request, index) => index == 0
            ? FakeHandler.Json(HttpStatusCode.Accepted, $$"""{"jobId":"j-1","graphEstimate":{{Estimate}}}""")
            : FakeHandler.Json(HttpStatusCode.OK, Succeeded));

        var result = await CliRunner.RunAsync(handler, "ingest", folder.Path, "--acl", "public", "--url", Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("/v1/ingest/jobs", handler.Requests[0].Uri.PathAndQuery);
        var estimate = result.Output.IndexOf("LLM graph extraction estimate: up to 24,206 tokens (9,870 prompt + 14,336 completion) for 14 chunks in 2 documents, cost up to 0.0235; budget 200,000 tokens.", StringComparison.Ordinal);
        Assert.True(estimate >= 0, result.Output);
        Assert.True(estimate < result.Output.IndexOf("waiting for it to finish", StringComparison.Ordinal), result.Output);
    }

    [Fact]
    public async Task Ingest_DryRun_PrintsEstimateAndQueuesNothing()
    {
        folder.Write("a.md", "Ada Lovelace");
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, $$"""{"graphEstimate":{{Estimate}}}"""));

        var result = await CliRunner.RunAsync(handler, "ingest", folder.Path, "--acl", "public", "--dry-run", "--url", Url);

        Assert.Equal(0, result.ExitCode);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("/v1/ingest/jobs?dryRun=true", request.Uri.PathAndQuery);
        Assert.Contains("Ada Lovelace", request.Body, StringComparison.Ordinal);
        Assert.Contains("up to 24,206 tokens", result.Output, StringComparison.Ordinal);
        Assert.Contains("Nothing was queued", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_DryRunOverBudget_Exits1NamingTheBudget()
    {
        folder.Write("a.md", "Ada Lovelace");
        var over = Estimate.Replace("\"overBudget\":false", "\"overBudget\":true", StringComparison.Ordinal);
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, $$"""{"graphEstimate":{{over}}}"""));

        var result = await CliRunner.RunAsync(handler, "ingest", folder.Path, "--acl", "public", "--dry-run", "--url", Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(OVER BUDGET)", result.Output, StringComparison.Ordinal);
        Assert.Contains("MaxTokensPerJob", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_DryRunWithoutLlmExtraction_SaysThereIsNoTokenCost()
    {
        folder.Write("a.md", "Ada Lovelace");
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, """{"graphEstimate":null}"""));

        var result = await CliRunner.RunAsync(handler, "ingest", folder.Path, "--acl", "public", "--dry-run", "--url", Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("calls no LLM", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_JobOverBudget_Exits1WithTheServiceMessage()
    {
        folder.Write("a.md", "Ada Lovelace");
        var handler = new FakeHandler((_, _) => FakeHandler.Problem(
            HttpStatusCode.RequestEntityTooLarge,
            """{"status":413,"title":"Payload too large","detail":"LLM graph extraction of this job is estimated at up to 24206 tokens (14 chunks), over the budget of 10000 (Retrieval:Graph:Llm:MaxTokensPerJob)."}"""));

        var result = await CliRunner.RunAsync(handler, "ingest", folder.Path, "--acl", "public", "--url", Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Retrieval:Graph:Llm:MaxTokensPerJob", result.Error, StringComparison.Ordinal);
        Assert.Single(handler.Requests);
    }
}
