using System.Net;
using System.Text.RegularExpressions;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

/// <summary>
/// Global-mode asks (community summaries) with <c>Retrieval:Verification:Judge=Llm</c>: the summaries' sentences are judged
/// by the configured LLM judge like any answer, not by the lexical verifier alone.
/// </summary>
public sealed partial class LlmGlobalJudgeTests : IAsyncLifetime
{
    private const string Question = "What are the main themes?";

    private LlmFakeServer _llm = null!;
    private RetrievalApiFactory _factory = null!;
    private Func<string, (string Verdict, string Reason)> _verdict = _ => ("supported", "The source says so.");

    public async Task InitializeAsync()
    {
        _llm = await LlmFakeServer.StartAsync();
        _llm.Answer = user => LlmJudgeCorpus.IsJudgeRequest(user)
            ? LlmJudgeCorpus.Verdicts(user, _verdict)
            : FirstSentence(user) + " [1]."; // a faithful community summary
        _factory = new RetrievalApiFactory(settings: LlmCorpus.Settings(_llm.Endpoint, ("Retrieval:Verification:Judge", "Llm")));
        using var admin = _factory.ClientFor("loader", roles: [RetrievalRoles.Admin]);
        foreach (var (id, text, acl, _) in GlobalGraphCorpus.Documents.Where(d => d.Tenant == "acme" && d.Acl == "public"))
        {
            await admin.PostJsonAsync("/v1/documents", new { id, title = "Note " + id, text, acl = new[] { acl } }, HttpStatusCode.Created);
        }
    }

    public async Task DisposeAsync()
    {
        _factory.Dispose();
        await _llm.DisposeAsync();
    }

    [Fact]
    public async Task GlobalAsk_JudgeLlm_JudgesTheSummarySentences()
    {
        using var bob = _factory.ClientFor("bob", [], [RetrievalRoles.Reader]);

        var body = await bob.PostJsonAsync("/v1/ask", new { question = Question, mode = "global" });

        Assert.False(body.GetProperty("abstained").GetBoolean(), body.GetRawText());
        Assert.Equal("llm", body.GetProperty("support").GetProperty("judge").GetString());
        Assert.Contains(_llm.Requests, r => LlmJudgeCorpus.IsJudgeRequest(LlmFakeServer.Messages(r)[^1].Content));
    }

    [Fact]
    public async Task GlobalAsk_JudgeFindsEverySentenceUnsupported_Abstains()
    {
        _verdict = _ => ("unsupported", "The source does not say this.");
        using var bob = _factory.ClientFor("bob", [], [RetrievalRoles.Reader]);

        var body = await bob.PostJsonAsync("/v1/ask", new { question = Question, mode = "global" });

        Assert.True(body.GetProperty("abstained").GetBoolean(), body.GetRawText());
        Assert.Equal("insufficient_support", body.GetProperty("reason").GetString());
        Assert.Equal("llm", body.GetProperty("support").GetProperty("judge").GetString());
    }

    private static string FirstSentence(string user)
    {
        var text = SourceOne().Match(user).Groups["text"].Value.Trim();
        return Regex.Split(text, @"(?<=[.!?])\s+")[0].TrimEnd('.');
    }

    [GeneratedRegex(@"<<<SOURCE 1>>>\s*Title:[^\n]*\n(?<text>.*?)<<<END SOURCE 1>>>", RegexOptions.Singleline)]
    private static partial Regex SourceOne();
}
