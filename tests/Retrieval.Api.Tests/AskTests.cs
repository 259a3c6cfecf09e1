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
