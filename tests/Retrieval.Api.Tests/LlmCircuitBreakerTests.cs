using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

/// <summary>Repeated LLM failures open the circuit: later questions go straight to the extractive answerer.</summary>
public sealed class LlmCircuitBreakerTests : IAsyncLifetime
{
    private LlmFakeServer _llm = null!;
    private RetrievalApiFactory _factory = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _llm = await LlmFakeServer.StartAsync();
        _llm.Behavior = LlmBehavior.ServerError;
        _factory = new RetrievalApiFactory(settings: LlmCorpus.Settings(_llm.Endpoint, ("Retrieval:Llm:BreakAfterFailures", "3"), ("Retrieval:Llm:BreakDuration", "00:10:00")));
        _client = _factory.ClientFor("alice", ["eng"], [RetrievalRoles.Reader, RetrievalRoles.Ingestor]);
        await LlmCorpus.SeedAsync(_client);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _factory.Dispose();
        await _llm.DisposeAsync();
    }

    [Fact]
    public async Task Ask_RepeatedFailures_CircuitOpensAndLlmIsNoLongerCalled()
    {
        for (var i = 0; i < 6; i++)
        {
            var body = await _client.PostJsonAsync("/v1/ask", new { question = "Who developed the first vaccine?" });

            Assert.Equal("extractive", body.GetProperty("generator").GetString());
            Assert.Equal("llm_unavailable", body.GetProperty("fallback").GetString());
        }

        Assert.Equal(3, _llm.Requests.Count);
    }
}
