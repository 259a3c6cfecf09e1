using System.Net;
using System.Net.Sockets;
using Retrieval.Cli.Tests.Support;

namespace Retrieval.Cli.Tests;

public sealed class ErrorMappingTests
{
    private const string Url = "http://retrieval.test:8080";

    [Fact]
    public async Task Search_401WithProblemDetails_SaysTokenRejectedAndExits1()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Problem(
            HttpStatusCode.Unauthorized, """{"type":"about:blank","title":"Unauthorized","status":401,"detail":"The token expired."}"""));

        var result = await CliRunner.RunAsync(handler, "search", "keys", "--url", Url, "--token", "abc");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("The service rejected the token (401): Unauthorized: The token expired", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
        Assert.Equal("Bearer abc", handler.Requests.Single().Authorization);
    }

    [Fact]
    public async Task Search_401WithOnlyChallenge_UsesItsErrorDescription()
    {
        var handler = FakeHandler.Sequence(() =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            response.Headers.WwwAuthenticate.ParseAdd("Bearer error=\"invalid_token\", error_description=\"The signature is invalid\"");
            return response;
        });

        var result = await CliRunner.RunAsync(handler, "search", "keys", "--url", Url, "--token", "abc");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("The service rejected the token (401): The signature is invalid", result.Error);
    }

    [Fact]
    public async Task Search_401WithoutAnyToken_SaysNoTokenWasSent()
    {
        var handler = FakeHandler.Sequence(() => new HttpResponseMessage(HttpStatusCode.Unauthorized));

        var result = await CliRunner.RunAsync(handler, "search", "keys", "--url", Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Null(handler.Requests.Single().Authorization);
        Assert.Contains("No token was sent", result.Error);
    }

    [Fact]
    public async Task Ingest_403_SaysWhichRoleIsMissing()
    {
        using var folder = new TempDirectory();
        folder.Write("a.md", "# A");
        var handler = FakeHandler.Sequence(() => FakeHandler.Problem(
            HttpStatusCode.Forbidden, """{"title":"Forbidden","status":403}"""));

        var result = await CliRunner.RunAsync(handler, "ingest", folder.Path, "--acl", "group:eng", "--url", Url, "--token", "t");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("lacks the role 'ingestor'", result.Error);
        Assert.Contains("(403)", result.Error);
    }

    [Fact]
    public async Task JobsShow_404_ShowsProblemTitleAndDetail()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Problem(
            HttpStatusCode.NotFound, """{"title":"Job not found","status":404,"detail":"No job 'j-9' exists."}"""));

        var result = await CliRunner.RunAsync(handler, "jobs", "show", "j-9", "--url", Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Job not found (404): No job 'j-9' exists.", result.Error);
        Assert.Equal(new Uri(Url + "/v1/ingest/jobs/j-9"), handler.Requests.Single().Uri);
    }

    [Fact]
    public async Task Search_400WithFieldErrors_ListsEachField()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Problem(HttpStatusCode.BadRequest, """
            {"title":"One or more validation errors occurred.","status":400,
             "errors":{"topK":["topK must be between 1 and 100."],"query":["The query is too long."]}}
            """));

        var result = await CliRunner.RunAsync(handler, "search", "keys", "--url", Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("One or more validation errors occurred. (400)", result.Error);
        Assert.Contains("  query: The query is too long.", result.Error);
        Assert.Contains("  topK: topK must be between 1 and 100.", result.Error);
    }

    [Fact]
    public async Task JobsCancel_409_ShowsConflictAndExits1()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Problem(
            HttpStatusCode.Conflict, """{"title":"Job already finished","status":409,"detail":"Job j-1 succeeded."}"""));

        var result = await CliRunner.RunAsync(handler, "jobs", "cancel", "j-1", "--url", Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Job already finished (409): Job j-1 succeeded.", result.Error);
        Assert.Equal(HttpMethod.Post, handler.Requests.Single().Method);
        Assert.EndsWith("/v1/ingest/jobs/j-1/cancel", handler.Requests.Single().Uri.AbsolutePath);
    }

    [Fact]
    public async Task Ingest_413_ShowsProblemDetail()
    {
        using var folder = new TempDirectory();
        folder.Write("big.txt", "x");
        var handler = FakeHandler.Sequence(() => FakeHandler.Problem(
            HttpStatusCode.RequestEntityTooLarge, """{"title":"Payload too large","status":413,"detail":"The upload exceeds 512 MiB."}"""));

        var result = await CliRunner.RunAsync(handler, "ingest", folder.Path, "--acl", "public", "--url", Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Payload too large (413): The upload exceeds 512 MiB.", result.Error);
    }

    [Fact]
    public async Task Search_500WithoutProblemBody_SaysWhatFailed()
    {
        var handler = FakeHandler.Sequence(() => new HttpResponseMessage(HttpStatusCode.InternalServerError)
        {
            Content = new StringContent("boom"),
        });

        var result = await CliRunner.RunAsync(handler, "search", "keys", "--url", Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("The service answered 500 Internal Server Error to POST /v1/search: boom", result.Error);
    }

    [Fact]
    public async Task Search_ServiceNotListening_SaysCannotReachAndExits1()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await CliRunner.RunAsync(null, "search", "keys", "--url", $"http://127.0.0.1:{port}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"Cannot reach the Retrieval service at URL: http://127.0.0.1:{port}/", result.Error);
        Assert.Contains("dotnet run --project src/Retrieval.Api", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public async Task Search_UrlAndTokenFromEnvironment_AreUsed()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.OK, """{"results":[]}"""));
        var environment = new Dictionary<string, string>
        {
            ["RETRIEVAL_URL"] = "http://from-env:9000/base",
            ["RETRIEVAL_TOKEN"] = "env-token",
        };

        var result = await CliRunner.RunAsync(handler, environment, CancellationToken.None, "search", "keys");

        Assert.Equal(0, result.ExitCode);
        var request = handler.Requests.Single();
        Assert.Equal(new Uri("http://from-env:9000/base/v1/search"), request.Uri);
        Assert.Equal("Bearer env-token", request.Authorization);
    }

    [Fact]
    public async Task Search_TokenOption_WinsOverEnvironment()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.OK, """{"results":[]}"""));
        var environment = new Dictionary<string, string> { ["RETRIEVAL_TOKEN"] = "env-token" };

        await CliRunner.RunAsync(handler, environment, CancellationToken.None, "search", "keys", "--url", Url, "--token", "option-token");

        Assert.Equal("Bearer option-token", handler.Requests.Single().Authorization);
    }

    [Fact]
    public async Task Search_TokenAndAsTogether_IsAUsageError()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.OK, """{"results":[]}"""));

        var result = await CliRunner.RunAsync(handler, "search", "keys", "--token", "t", "--as", "alice");

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Search_UnknownOption_IsAUsageError()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.OK, """{"results":[]}"""));

        var result = await CliRunner.RunAsync(handler, "search", "keys", "--bogus");

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(handler.Requests);
    }
}
