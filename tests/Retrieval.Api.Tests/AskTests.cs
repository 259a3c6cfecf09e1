using System.Net;
using System.Net.Http.Json;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

public sealed class AskTests : IAsyncLifetime
{
    private readonly RetrievalApiFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _client = _factory.ClientFor("alice", ["eng"], [RetrievalRoles.Reader, RetrievalRoles.Ingestor]);
        await LlmCorpus.SeedBasicAsync(_client);
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _factory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Ask_RelevantQuestion_AnswersWithVerifiedCitations()
    {
        var body = await _client.PostJsonAsync("/v1/ask", new { question = "Who developed the first vaccine?" });

        Assert.False(body.GetProperty("abstained").GetBoolean());
        Assert.Contains("Jenner", body.GetProperty("answer").GetString()!, StringComparison.Ordinal);
        Assert.Contains("[1]", body.GetProperty("answer").GetString()!, StringComparison.Ordinal);
        var citation = body.GetProperty("citations")[0];
        Assert.True(citation.GetProperty("index").GetInt32() >= 1);
        Assert.Equal("vaccines", citation.GetProperty("documentId").GetString());
        Assert.Equal(1.0, body.GetProperty("support").GetProperty("ratio").GetDouble());
        Assert.Equal("extractive", body.GetProperty("generator").GetString());
    }

    [Fact]
    public async Task Ask_NothingReadable_AbstainsWithReason()
    {
        using var stranger = _factory.ClientFor("zed", [], [RetrievalRoles.Reader], tenant: "empty-tenant");
        var body = await stranger.PostJsonAsync("/v1/ask", new { question = "Who developed the first vaccine?" });

        Assert.True(body.GetProperty("abstained").GetBoolean());
        Assert.Equal("no_relevant_sources", body.GetProperty("reason").GetString());
        Assert.Equal(0, body.GetProperty("citations").GetArrayLength());
    }

    [Fact]
    public async Task Ask_UnrelatedQuestion_AbstainsWithNoRelevantSources()
    {
        var body = await _client.PostJsonAsync("/v1/ask", new { question = "What is the capital of Peru?" });

        Assert.True(body.GetProperty("abstained").GetBoolean());
        Assert.Equal("no_relevant_sources", body.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task AskStream_Extractive_OneDeltaThenFinalWithVerification()
    {
        using var response = await _client.PostAsJsonAsync("/v1/ask", new { question = "Who developed the first vaccine?", stream = true }, RetrievalApiFactory.Json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await ServerSentEvents.ReadAsync(response);
        Assert.Equal(["delta", "final"], events.Select(e => e.Event));
        var final = events[1].Data;
        Assert.Equal(events[0].Data.GetProperty("text").GetString(), final.GetProperty("answer").GetString());
        Assert.Equal("extractive", final.GetProperty("generator").GetString());
        Assert.Equal(1.0, final.GetProperty("support").GetProperty("ratio").GetDouble());
        Assert.Equal("vaccines", final.GetProperty("citations")[0].GetProperty("documentId").GetString());
    }

    [Fact]
    public async Task AskStream_EmptyQuestion_IsProblemDetailsNotAStream()
    {
        using var response = await _client.PostAsJsonAsync("/v1/ask", new { question = "", stream = true }, RetrievalApiFactory.Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Ask_GraphMode_AnswersFromTheChunkTheNamedEntityLinksTo()
    {
        var body = await _client.PostJsonAsync("/v1/ask", new { question = "What did Edward Jenner develop?", mode = "graph" });

        Assert.False(body.GetProperty("abstained").GetBoolean());
        Assert.Equal("vaccines", body.GetProperty("citations")[0].GetProperty("documentId").GetString());
    }

    [Fact]
    public async Task Ask_GraphMode_QuestionNamingNoEntity_AbstainsWhereHybridAnswers()
    {
        // The same question answers in hybrid mode (Ask_RelevantQuestion_AnswersWithVerifiedCitations): the mode is honoured.
        var body = await _client.PostJsonAsync("/v1/ask", new { question = "Who developed the first vaccine?", mode = "graph" });

        Assert.True(body.GetProperty("abstained").GetBoolean());
        Assert.Equal("no_relevant_sources", body.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Ask_DenseLexicalMode_AnswersWithoutTheGraph()
    {
        var body = await _client.PostJsonAsync("/v1/ask", new { question = "Who developed the first vaccine?", mode = "dense+lexical" });

        Assert.False(body.GetProperty("abstained").GetBoolean());
        Assert.Contains("Jenner", body.GetProperty("answer").GetString()!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ask_UnknownMode_IsProblemDetails400(bool stream)
    {
        using var response = await _client.PostAsJsonAsync("/v1/ask", new { question = "Who developed the first vaccine?", mode = "dense+magic", stream }, RetrievalApiFactory.Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("dense+magic", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_ResultsCarryPerRetrieverScores()
    {
        var body = await _client.PostJsonAsync("/v1/search", new { query = "first vaccine smallpox", mode = "hybrid" });
        var top = body.GetProperty("results")[0];

        Assert.Equal("vaccines", top.GetProperty("documentId").GetString());
        Assert.Equal(1, top.GetProperty("scores").GetProperty("dense").GetProperty("rank").GetInt32());
        Assert.Equal(1, top.GetProperty("scores").GetProperty("lexical").GetProperty("rank").GetInt32());
        Assert.True(body.GetProperty("timings").GetProperty("totalMs").GetDouble() > 0);
    }
}
