using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

/// <summary>Runs only when <c>LLM_ENDPOINT</c> names a live OpenAI-compatible endpoint.</summary>
public sealed class LiveLlmFactAttribute : FactAttribute
{
    public LiveLlmFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("LLM_ENDPOINT")))
        {
            Skip = "Set LLM_ENDPOINT (an OpenAI-compatible base URL, e.g. http://localhost:11434/v1) and LLM_MODEL (and LLM_API_KEY if needed) to run against a live LLM.";
        }
    }
}

public sealed class LlmLiveTests
{
    [LiveLlmFact]
    public async Task Ask_LiveLlm_AnswerIsVerifiedWithCitations()
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Retrieval:Llm:Endpoint"] = Environment.GetEnvironmentVariable("LLM_ENDPOINT"),
            ["Retrieval:Llm:Model"] = Environment.GetEnvironmentVariable("LLM_MODEL") ?? "llama3.2",
            ["Retrieval:Llm:ApiKey"] = Environment.GetEnvironmentVariable("LLM_API_KEY"),
        };
        using var factory = new RetrievalApiFactory(settings: settings);
        using var client = factory.ClientFor("alice", ["eng"], [RetrievalRoles.Reader, RetrievalRoles.Ingestor]);
        await LlmCorpus.SeedAsync(client);

        var body = await client.PostJsonAsync("/v1/ask", new { question = "Who developed the first vaccine?" });

        Assert.Equal("llm", body.GetProperty("generator").GetString());
        Assert.True(body.GetProperty("support").GetProperty("sentences").GetArrayLength() > 0);
        if (!body.GetProperty("abstained").GetBoolean())
        {
            Assert.Contains("Jenner", body.GetProperty("answer").GetString()!, StringComparison.Ordinal);
            Assert.DoesNotContain("Pasteur", body.GetProperty("answer").GetString()!, StringComparison.Ordinal);
        }
    }

    [LiveLlmFact]
    public async Task Ask_LiveLlmJudge_JudgesEverySentenceAndFloorHolds()
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Retrieval:Llm:Endpoint"] = Environment.GetEnvironmentVariable("LLM_ENDPOINT"),
            ["Retrieval:Llm:Model"] = Environment.GetEnvironmentVariable("LLM_MODEL") ?? "llama3.2",
            ["Retrieval:Llm:ApiKey"] = Environment.GetEnvironmentVariable("LLM_API_KEY"),
            ["Retrieval:Verification:Judge"] = "Llm",
        };
        using var factory = new RetrievalApiFactory(settings: settings);
        using var client = factory.ClientFor("alice", ["eng"], [RetrievalRoles.Reader, RetrievalRoles.Ingestor]);
        await LlmCorpus.SeedAsync(client);

        var body = await client.PostJsonAsync("/v1/ask", new { question = "Who developed the first vaccine?" });

        var support = body.GetProperty("support");
        Assert.Equal("llm", support.GetProperty("judge").GetString());

        // Every sentence that cites something went to the judge, which must have given a reason.
        foreach (var sentence in support.GetProperty("sentences").EnumerateArray().Where(s => s.GetProperty("citations").GetArrayLength() > 0))
        {
            Assert.Equal(System.Text.Json.JsonValueKind.String, sentence.GetProperty("judgeReason").ValueKind);
        }

        Assert.DoesNotContain("Pasteur", body.GetProperty("answer").GetString()!, StringComparison.Ordinal);
    }
}
