using System.Net;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Retrieval.Cli.Tests.Support;
using Retrieval.Core.Security;

namespace Retrieval.Cli.Tests;

public sealed class QueryCommandTests
{
    private const string Url = "http://retrieval.test";

    private const string SearchJson = """
        {"results":[
          {"chunkId":"c1","documentId":"guide/keys.md","title":"Key rotation","source":"guide/keys.md","sectionPath":["Operations","Keys"],
           "text":"Rotate the signing key every 90 days.","score":0.0328,"scores":{"dense":{"score":0.81,"rank":1},"lexical":{"score":7.2,"rank":2}}},
          {"chunkId":"c2","documentId":"faq.md","title":"FAQ","source":"faq.md","sectionPath":"FAQ > Security",
           "text":"Keys live in the vault.","score":0.0161,"scores":{"lexical":{"score":5.1,"rank":1}}}],
         "timings":{"totalMs":12.5}}
        """;

    [Fact]
    public async Task Search_SendsQueryAndPrintsRankedTable()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.OK, SearchJson));

        var result = await CliRunner.RunAsync(handler, "search", "rotate keys", "--top-k", "5", "--mode", "lexical", "--url", Url);

        Assert.Equal(0, result.ExitCode);
        using var body = JsonDocument.Parse(handler.Requests.Single().Body);
        Assert.Equal("rotate keys", body.RootElement.GetProperty("query").GetString());
        Assert.Equal(5, body.RootElement.GetProperty("topK").GetInt32());
        Assert.Equal("lexical", body.RootElement.GetProperty("mode").GetString());
        Assert.Contains("Key rotation", result.Output);
        Assert.Contains("Operations > Keys", result.Output);
        Assert.Contains("FAQ > Security", result.Output);
        Assert.Contains("0.0328", result.Output);
        Assert.Contains("dense#1 lexical#2", result.Output);
        Assert.True(result.Output.IndexOf("guide/keys.md", StringComparison.Ordinal) < result.Output.IndexOf("faq.md", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Search_Json_PrintsTheServiceJson()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.OK, SearchJson));

        var result = await CliRunner.RunAsync(handler, "search", "keys", "--json", "--url", Url);

        Assert.Equal(0, result.ExitCode);
        using var printed = JsonDocument.Parse(result.Output);
        Assert.Equal(2, printed.RootElement.GetProperty("results").GetArrayLength());
    }

    [Theory]
    [InlineData("--mode", "vector")]
    [InlineData("--top-k", "0")]
    public async Task Search_InvalidOption_IsAUsageError(string option, string value)
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.OK, SearchJson));

        var result = await CliRunner.RunAsync(handler, "search", "keys", option, value, "--url", Url);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Ask_Answered_PrintsAnswerCitationsAndSupport()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.OK, """
            {"answer":"Rotate the signing key every 90 days [1].","citations":[{"index":1,"chunkId":"c1","documentId":"guide/keys.md",
             "title":"Key rotation","quote":"Rotate the signing key every 90 days."}],"abstained":false,"reason":null,
             "support":{"ratio":0.5,"sentences":[{"text":"Rotate the signing key every 90 days.","citations":[1],"supported":true,"score":0.9},
                                                 {"text":"Keys never expire.","citations":[],"supported":false,"score":0.1}]},
             "generator":"extractive","timings":{"totalMs":40}}
            """));

        var result = await CliRunner.RunAsync(handler, "ask", "How often do keys rotate?", "--top-k", "3", "--url", Url);

        Assert.Equal(0, result.ExitCode);
        using var body = JsonDocument.Parse(handler.Requests.Single().Body);
        Assert.Equal("How often do keys rotate?", body.RootElement.GetProperty("question").GetString());
        Assert.Equal(3, body.RootElement.GetProperty("topK").GetInt32());
        Assert.Contains("Rotate the signing key every 90 days [1].", result.Output);
        Assert.Contains("[1] Key rotation (guide/keys.md)", result.Output);
        Assert.Contains("Support: 50", result.Output);
        Assert.Contains("1 of 2 sentences", result.Output);
        Assert.Contains("unsupported: Keys never expire.", result.Output);
    }

    [Fact]
    public async Task Ask_Abstained_PrintsReasonAndExits0()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.OK, """
            {"answer":"","citations":[],"abstained":true,"reason":"insufficient_evidence","support":{"ratio":0,"sentences":[]},"generator":"extractive"}
            """));

        var result = await CliRunner.RunAsync(handler, "ask", "What is the airspeed of a swallow?", "--url", Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("No grounded answer", result.Output);
        Assert.Contains("insufficient_evidence", result.Output);
    }

    [Fact]
    public async Task Ask_As_SendsATokenMintedFromTheDevelopmentIdentity()
    {
        using var data = new TempDirectory();
        var identity = DevelopmentIdentity.LoadOrCreateDevelopment(data.Path, "retrieval-dev", "retrieval");
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.OK, """{"answer":"x","abstained":false}"""));

        var result = await CliRunner.RunAsync(
            handler, "ask", "q", "--as", "carol", "--groups", "eng", "--groups", "ops", "--roles", "reader", "--data", data.Path, "--url", Url);

        Assert.Equal(0, result.ExitCode);
        var authorization = handler.Requests.Single().Authorization!;
        Assert.StartsWith("Bearer ", authorization);
        var token = authorization["Bearer ".Length..];
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = identity.Issuer,
            ValidAudience = identity.Audience,
            IssuerSigningKey = identity.GetSecurityKey(),
        });
        Assert.True(validation.IsValid);
        var jwt = new JsonWebToken(token);
        Assert.Equal("carol", jwt.Subject);
        Assert.Equal(["eng", "ops"], jwt.Claims.Where(c => c.Type == "groups").Select(c => c.Value).Order());
    }

    [Fact]
    public async Task Ask_AsWithoutIdentityFile_Exits1WithoutCallingTheService()
    {
        using var data = new TempDirectory();
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.OK, """{"answer":"x","abstained":false}"""));

        var result = await CliRunner.RunAsync(handler, "ask", "q", "--as", "carol", "--data", data.Path, "--url", Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("start the service once to create it", result.Error);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task DocumentsShow_KeepsSlashesInTheIdAndPrintsFields()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.OK, """
            {"id":"guide/intro.md","tenant":"default","source":"guide/intro.md","title":"Intro","contentType":"text/markdown",
             "contentHash":"abc","version":2,"acl":["group:eng"],"metadata":{"team":"docs"},"chunkCount":4,"tokenCount":900,
             "createdAt":"2025-01-01T00:00:00Z","updatedAt":"2025-01-02T00:00:00Z"}
            """));

        var result = await CliRunner.RunAsync(handler, "documents", "show", "guide/intro md.md", "--url", Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("/v1/documents/guide/intro%20md.md", handler.Requests.Single().Uri.AbsolutePath);
        Assert.Contains("group:eng", result.Output);
        Assert.Contains("metadata.team", result.Output);
    }

    [Fact]
    public async Task DocumentsDelete_204_Exits0()
    {
        var handler = FakeHandler.Sequence(() => new HttpResponseMessage(HttpStatusCode.NoContent));

        var result = await CliRunner.RunAsync(handler, "documents", "delete", "faq.md", "--url", Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(HttpMethod.Delete, handler.Requests.Single().Method);
        Assert.Contains("Deleted document faq.md", result.Output);
    }

    [Fact]
    public async Task JobsList_PrintsEachJob()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.OK, """
            {"jobs":[{"id":"j-1","state":"succeeded","documents":{"total":3,"succeeded":3,"failed":0},"chunks":9,"tokens":300,"errors":[],"attempts":1},
                     {"id":"j-2","state":"running","documents":{"total":5,"succeeded":1,"failed":1},"chunks":2,"tokens":50,"errors":[],"attempts":1}]}
            """));

        var result = await CliRunner.RunAsync(handler, "jobs", "list", "--url", Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("j-1", result.Output);
        Assert.Contains("j-2", result.Output);
        Assert.Contains("2/5", result.Output);
    }

    [Fact]
    public async Task Health_ServiceUnavailable_Exits1()
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(HttpStatusCode.ServiceUnavailable, """{"status":"Unhealthy"}"""));

        var result = await CliRunner.RunAsync(handler, "health", "--url", Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Unhealthy", result.Output);
    }

    [Theory]
    [InlineData("dense+lexical+graph", 0)]
    [InlineData("graph", 0)]
    [InlineData("psychic", 2)]
    public async Task Search_ModeValidation_UsesTheServicesModeGrammar(string mode, int expectedExit)
    {
        var handler = FakeHandler.Sequence(() => FakeHandler.Json(System.Net.HttpStatusCode.OK, """{"results":[],"timings":{"totalMs":1.0}}"""));
        var result = await CliRunner.RunAsync(handler, "search", "anything", "--mode", mode, "--url", Url, "--token", "t");
        Assert.Equal(expectedExit, result.ExitCode);
    }
}
