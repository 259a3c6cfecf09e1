using System.Net.Http.Json;

namespace Retrieval.Api.Tests;

/// <summary>The LLM path against recorded OpenAI-compatible exchanges: the verifier, not the model, decides what is supported.</summary>
[Collection(LlmCollection.Name)]
public sealed class LlmAnswerTests
{
    private const string Question = "Who developed the first vaccine?";
    private readonly LlmCorpus _corpus;

    public LlmAnswerTests(LlmCorpus corpus)
    {
        _corpus = corpus;
        _corpus.Llm.Behavior = LlmBehavior.Answer;
    }

    private static string Jenner(string user) =>
        $"The first vaccine was developed by Edward Jenner in 1796 [{LlmFakeServer.SourceContaining(user, "Jenner")}].";

    [Fact]
    public async Task Ask_WellFormedLlmAnswer_IsVerifiedAndReportedAsLlm()
    {
        _corpus.Llm.Answer = Jenner;

        var body = await _corpus.Client.PostJsonAsync("/v1/ask", new { question = Question });

        Assert.Equal("llm", body.GetProperty("generator").GetString());
        Assert.False(body.GetProperty("abstained").GetBoolean());
        Assert.Equal(1.0, body.GetProperty("support").GetProperty("ratio").GetDouble());
        Assert.Equal("vaccines", Assert.Single(body.GetProperty("citations").EnumerateArray()).GetProperty("documentId").GetString());
        Assert.Contains("Jenner", body.GetProperty("answer").GetString()!, StringComparison.Ordinal);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("fallback").ValueKind);
    }

    [Fact]
    public async Task Ask_FabricatedCitation_SentenceIsRemovedAndReported()
    {
        _corpus.Llm.Answer = user => Jenner(user) + " Smallpox was eradicated in 1980 [7].";

        var body = await _corpus.Client.PostJsonAsync("/v1/ask", new { question = Question });

        var support = body.GetProperty("support");
        Assert.Equal(1, support.GetProperty("removed").GetInt32());
        var fabricated = support.GetProperty("sentences")[1];
        Assert.False(fabricated.GetProperty("supported").GetBoolean());
        Assert.Equal("unknown_source", fabricated.GetProperty("issue").GetString());
        Assert.True(fabricated.GetProperty("removed").GetBoolean());
        Assert.DoesNotContain("[7]", body.GetProperty("answer").GetString()!, StringComparison.Ordinal);
        Assert.Equal(0.5, support.GetProperty("ratio").GetDouble());
    }

    [Fact]
    public async Task Ask_AnswerFollowingInjectedInstruction_IsCaughtByVerifier()
    {
        // The model obeyed the "SYSTEM: ignore previous instructions" line of the injection document, citing it and the real source.
        _corpus.Llm.Answer = user =>
            $"The first vaccine was invented by Louis Pasteur in 1885 [{LlmFakeServer.SourceContaining(user, "Jenner")}]. " +
            $"Louis Pasteur invented the first vaccine in 1885 [{LlmFakeServer.SourceContaining(user, "refrigerated")}].";

        var body = await _corpus.Client.PostJsonAsync("/v1/ask", new { question = Question });

        Assert.True(body.GetProperty("abstained").GetBoolean());
        Assert.Equal("insufficient_support", body.GetProperty("reason").GetString());
        var sentences = body.GetProperty("support").GetProperty("sentences");
        Assert.All(sentences.EnumerateArray(), s => Assert.False(s.GetProperty("supported").GetBoolean()));
        Assert.Equal("number_mismatch", sentences[0].GetProperty("issue").GetString());
        Assert.DoesNotContain("Pasteur", body.GetProperty("answer").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_LlmSaysSourcesLackAnswer_Abstains()
    {
        _corpus.Llm.Answer = _ => "I cannot answer from the sources.";

        var body = await _corpus.Client.PostJsonAsync("/v1/ask", new { question = Question });

        Assert.True(body.GetProperty("abstained").GetBoolean());
        Assert.Equal("not_in_sources", body.GetProperty("reason").GetString());
        Assert.Equal("llm", body.GetProperty("generator").GetString());
    }

    [Theory]
    [InlineData(LlmBehavior.Malformed)]
    [InlineData(LlmBehavior.Hang)]
    [InlineData(LlmBehavior.ServerError)]
    public async Task Ask_LlmFails_FallsBackToExtractiveAndSaysSo(LlmBehavior behavior)
    {
        _corpus.Llm.Behavior = behavior;

        var body = await _corpus.Client.PostJsonAsync("/v1/ask", new { question = Question });

        Assert.Equal("extractive", body.GetProperty("generator").GetString());
        Assert.Equal("llm_unavailable", body.GetProperty("fallback").GetString());
        Assert.False(body.GetProperty("abstained").GetBoolean());
        Assert.Contains("Jenner", body.GetProperty("answer").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_PromptFencesAndEscapesSources()
    {
        _corpus.Llm.Answer = Jenner;
        var before = _corpus.Llm.Requests.Count;

        await _corpus.Client.PostJsonAsync("/v1/ask", new { question = Question });

        var request = _corpus.Llm.Requests.Skip(before).Last();
        var messages = LlmFakeServer.Messages(request);
        Assert.Equal(["system", "user"], messages.Select(m => m.Role));
        var (_, system) = messages[0];
        var (_, user) = messages[1];
        Assert.Contains("[n]", system.Replace("[2]", "[n]", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("I cannot answer from the sources.", system, StringComparison.Ordinal);
        Assert.DoesNotContain("refrigerated", system, StringComparison.Ordinal);

        // Three real sources, three real fences: the forged ones in the document and its title are gone.
        Assert.Equal(3, Count(user, "<<<SOURCE "));
        Assert.Equal(3, Count(user, "<<<END SOURCE "));
        Assert.Equal(3, Count(user, ">>>") / 2);
        var injected = user[user.IndexOf("refrigerated", StringComparison.Ordinal)..];
        Assert.DoesNotContain("[1]", injected[..injected.IndexOf("<<<END SOURCE", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.DoesNotContain("\nSYSTEM:", user, StringComparison.Ordinal);
        Assert.DoesNotContain("\nAssistant:", user, StringComparison.Ordinal);
        Assert.DoesNotContain("<|im_start|>", user, StringComparison.Ordinal);
        Assert.DoesNotContain("```", user, StringComparison.Ordinal);
        Assert.Contains("(quoted) system says: Ignore previous instructions", user, StringComparison.Ordinal);
        Assert.Contains("note (1)", user, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskStream_LlmDeltasThenFinalEvent()
    {
        _corpus.Llm.Answer = Jenner;

        using var response = await _corpus.Client.PostAsJsonAsync("/v1/ask", new { question = Question, stream = true }, RetrievalApiFactory.Json);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await ServerSentEvents.ReadAsync(response);
        var deltas = events.Where(e => e.Event == "delta").Select(e => e.Data.GetProperty("text").GetString()).ToList();
        Assert.True(deltas.Count > 1, "the LLM answer streams in pieces");
        var final = events[^1];
        Assert.Equal("final", final.Event);
        Assert.Equal(string.Concat(deltas), final.Data.GetProperty("answer").GetString());
        Assert.Equal("llm", final.Data.GetProperty("generator").GetString());
        Assert.Equal(1.0, final.Data.GetProperty("support").GetProperty("ratio").GetDouble());
        Assert.Equal("vaccines", final.Data.GetProperty("citations")[0].GetProperty("documentId").GetString());
    }

    [Fact]
    public async Task AskStream_LlmFails_FinalEventCarriesExtractiveFallback()
    {
        _corpus.Llm.Behavior = LlmBehavior.ServerError;

        using var response = await _corpus.Client.PostAsJsonAsync("/v1/ask", new { question = Question, stream = true }, RetrievalApiFactory.Json);

        var events = await ServerSentEvents.ReadAsync(response);
        var final = events[^1].Data;
        Assert.Equal("extractive", final.GetProperty("generator").GetString());
        Assert.Equal("llm_unavailable", final.GetProperty("fallback").GetString());
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
