using System.Net;
using System.Text.Json;
using Retrieval.Cli.Tests.Support;

namespace Retrieval.Cli.Tests;

public sealed class IngestCommandTests : IDisposable
{
    private const string Url = "http://retrieval.test";
    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    private static string Job(string state, int total, int succeeded, int failed, string errors = "[]") => $$"""
        {"id":"j-1","state":"{{state}}","documents":{"total":{{total}},"succeeded":{{succeeded}},"failed":{{failed}}},
         "chunks":{{succeeded * 3}},"tokens":{{succeeded * 100}},"errors":{{errors}},"attempts":1,"executionProvider":"cpu",
         "createdAt":"2025-01-01T00:00:00Z","startedAt":null,"finishedAt":null}
        """;

    /// <summary>Accepts the submission, then serves the given job states one per poll (the last repeats).</summary>
    private static FakeHandler Service(params string[] jobStates) => new((request, index) =>
    {
        if (request.Method == HttpMethod.Post && request.Uri.AbsolutePath == "/v1/ingest/jobs")
        {
            return FakeHandler.Json(HttpStatusCode.Accepted, """{"jobId":"j-1"}""");
        }

        Assert.Equal("/v1/ingest/jobs/j-1", request.Uri.AbsolutePath);
        return FakeHandler.Json(HttpStatusCode.OK, jobStates[Math.Min(index - 1, jobStates.Length - 1)]);
    });

    [Fact]
    public async Task Ingest_Folder_SendsMultipartWithFilesAndAclFields()
    {
        folder.Write("guide/intro.md", "# Intro\nHello multipart");
        folder.Write("notes.txt", "plain notes");
        folder.Write("skip.png", "png");
        var handler = Service(Job("succeeded", 2, 2, 0));

        var result = await CliRunner.RunAsync(
            handler, "ingest", folder.Path, "--acl", "group:eng", "--acl", "user:bob", "--url", Url, "--token", "t");

        Assert.Equal(0, result.ExitCode);
        var upload = handler.Requests[0];
        Assert.Equal(HttpMethod.Post, upload.Method);
        Assert.StartsWith("multipart/form-data", upload.ContentType);
        Assert.Contains("name=acl", upload.Body);
        Assert.Contains("group:eng", upload.Body);
        Assert.Contains("user:bob", upload.Body);
        Assert.Contains("name=files", upload.Body);
        Assert.Contains("guide/intro.md", upload.Body);
        Assert.Contains("Hello multipart", upload.Body);
        Assert.Contains("notes.txt", upload.Body);
        Assert.Contains("plain notes", upload.Body);
        Assert.DoesNotContain("skip.png", upload.Body);
        Assert.Contains("Content-Type: text/markdown", upload.Body);
        Assert.Contains("Skipped 1 file", result.Output);
    }

    [Fact]
    public async Task Ingest_PollsUntilSucceeded_Exits0AndPrintsSummary()
    {
        var handler = Service(Job("queued", 0, 0, 0), Job("running", 3, 1, 0), Job("running", 3, 2, 0), Job("succeeded", 3, 3, 0));
        folder.Write("a.md", "a");

        var result = await CliRunner.RunAsync(handler, "ingest", folder.Path, "--acl", "public", "--url", Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(5, handler.Requests.Count); // submit + 4 polls, and no poll after the final state
        Assert.Contains("running: 1/3 documents", result.Output);
        Assert.Contains("succeeded: 3/3 documents, 9 chunks, 300 tokens, 0 errors", result.Output);
        Assert.Contains("Job j-1 succeeded", result.Output);
    }

    [Fact]
    public async Task Ingest_SomeDocumentsFailed_Exits1AndListsErrors()
    {
        var errors = """[{"source":"guide/broken.pdf","message":"The PDF is encrypted."}]""";
        var handler = Service(Job("running", 2, 1, 0), Job("succeeded", 2, 1, 1, errors));
        folder.Write("a.md", "a");

        var result = await CliRunner.RunAsync(handler, "ingest", folder.Path, "--acl", "public", "--url", Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Contains("guide/broken.pdf", result.Output);
        Assert.Contains("The PDF is encrypted.", result.Output);
        Assert.Contains("1 of 2 documents failed", result.Error);
    }

    [Theory]
    [InlineData("failed")]
    [InlineData("cancelled")]
    public async Task Ingest_JobEndsUnsuccessfully_Exits1(string state)
    {
        var handler = Service(Job("running", 2, 0, 0), Job(state, 2, 0, 0));
        folder.Write("a.md", "a");

        var result = await CliRunner.RunAsync(handler, "ingest", folder.Path, "--acl", "public", "--url", Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Contains(state, result.Error);
    }

    [Fact]
    public async Task Ingest_NoWait_ReturnsAfterSubmitting()
    {
        var handler = Service(Job("running", 1, 0, 0));
        folder.Write("a.md", "a");

        var result = await CliRunner.RunAsync(handler, "ingest", folder.Path, "--acl", "public", "--url", Url, "--no-wait");

        Assert.Equal(0, result.ExitCode);
        Assert.Single(handler.Requests);
        Assert.Contains("j-1", result.Output);
    }

    [Fact]
    public async Task Ingest_CtrlCWhileWaiting_StopsWaitingAndSaysHowToCancel()
    {
        using var interrupt = new CancellationTokenSource();
        var handler = new FakeHandler((request, index) =>
        {
            if (request.Method == HttpMethod.Post)
            {
                return FakeHandler.Json(HttpStatusCode.Accepted, """{"jobId":"j-1"}""");
            }

            if (index == 2)
            {
                interrupt.Cancel(); // the operator presses Ctrl+C during the second poll
            }

            return FakeHandler.Json(HttpStatusCode.OK, Job("running", 5, 1, 0));
        });
        folder.Write("a.md", "a");

        var result = await CliRunner.RunAsync(
            handler, null, interrupt.Token, "ingest", folder.Path, "--acl", "public", "--url", Url);

        Assert.Equal(130, result.ExitCode);
        Assert.Contains("keeps running", result.Error);
        Assert.Contains("retrieval jobs cancel j-1", result.Error);
        Assert.DoesNotContain(handler.Requests, r => r.Uri.AbsolutePath.EndsWith("/cancel", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ingest_Server_SendsAbsolutePathsAsJson()
    {
        var handler = Service(Job("succeeded", 1, 1, 0));

        var result = await CliRunner.RunAsync(
            handler, "ingest", "/srv/share/handbook", "--server", "--acl", "group:eng", "--url", Url);

        Assert.Equal(0, result.ExitCode);
        var submit = handler.Requests[0];
        Assert.StartsWith("application/json", submit.ContentType);
        using var body = JsonDocument.Parse(submit.Body);
        Assert.Equal("/srv/share/handbook", body.RootElement.GetProperty("paths")[0].GetString());
        Assert.Equal("group:eng", body.RootElement.GetProperty("acl")[0].GetString());
    }

    [Fact]
    public async Task Ingest_ServerWithRelativePath_IsAUsageError()
    {
        var handler = Service(Job("succeeded", 1, 1, 0));

        var result = await CliRunner.RunAsync(handler, "ingest", "docs", "--server", "--acl", "public", "--url", Url);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Ingest_WithoutAcl_IsAUsageError()
    {
        folder.Write("a.md", "a");
        var handler = Service(Job("succeeded", 1, 1, 0));

        var result = await CliRunner.RunAsync(handler, "ingest", folder.Path, "--url", Url);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--acl", result.Error);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Ingest_NoSupportedFiles_Exits1WithoutCallingTheService()
    {
        folder.Write("image.png", "png");
        var handler = Service(Job("succeeded", 1, 1, 0));

        var result = await CliRunner.RunAsync(handler, "ingest", folder.Path, "--acl", "public", "--url", Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No supported files", result.Error);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Ingest_Json_PrintsOnlyTheFinalJobJson()
    {
        var handler = Service(Job("running", 1, 0, 0), Job("succeeded", 1, 1, 0));
        folder.Write("a.md", "a");

        var result = await CliRunner.RunAsync(handler, "ingest", folder.Path, "--acl", "public", "--url", Url, "--json");

        Assert.Equal(0, result.ExitCode);
        using var job = JsonDocument.Parse(result.Output);
        Assert.Equal("succeeded", job.RootElement.GetProperty("state").GetString());
    }
}
