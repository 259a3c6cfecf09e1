using System.Net;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

public sealed class AskTests : IAsyncLifetime
{
    private readonly RetrievalApiFactory _factory = new();
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _client = _factory.ClientFor("alice", ["eng"], [RetrievalRoles.Reader, RetrievalRoles.Ingestor]);
        await _client.PostJsonAsync("/v1/documents", new
        {
            id = "vaccines",
            title = "How vaccines work",
            text = "Vaccines train the immune system to recognise a pathogen without causing the disease. " +
                   "The first vaccine was developed by Edward Jenner in 1796 against smallpox. " +
                   "Booster doses remind the immune system when protection fades over time.",
            acl = new[] { "public" },
        }, HttpStatusCode.Created);
        await _client.PostJsonAsync("/v1/documents", new
        {
            id = "football",
            title = "Football rules",
            text = "A football match has two halves of forty-five minutes. The offside rule keeps attackers behind the last defender.",
            acl = new[] { "public" },
        }, HttpStatusCode.Created);
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
        Assert.Equal(1, citation.GetProperty("index").GetInt32());
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
