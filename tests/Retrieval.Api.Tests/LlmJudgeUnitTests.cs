using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Retrieval.Core.Answering;
using Retrieval.Llm;

namespace Retrieval.Api.Tests;

/// <summary>The judge's prompt budget, reply parsing and configuration, without a host.</summary>
public sealed class LlmJudgeUnitTests
{
    private static readonly AnswerSource[] Sources =
    [
        new(1, "c1", "d1", "Vaccines", "The first vaccine was developed by Edward Jenner in 1796 against smallpox."),
        new(2, "c2", "d2", "Football", "A football match has two halves of forty-five minutes."),
    ];

    [Fact]
    public void Parse_WellFormedReply_ReturnsOneVerdictPerSentence()
    {
        var verdicts = JudgePrompt.Parse(
            """{"verdicts":[{"sentence":2,"verdict":"Contradicted","reason":"  says   1796 "},{"sentence":1,"verdict":"supported"}]}""", [1, 2]);

        Assert.Equal("contradicted", verdicts[2].Verdict);
        Assert.Equal("says 1796", verdicts[2].Reason);
        Assert.Equal("supported", verdicts[1].Verdict);
        Assert.Null(verdicts[1].Reason);
    }

    [Fact]
    public void Parse_ReplyInCodeFence_IsAccepted()
    {
        var verdicts = JudgePrompt.Parse("```json\n{\"verdicts\":[{\"sentence\":1,\"verdict\":\"unsupported\",\"reason\":\"no\"}]}\n```", [1]);

        Assert.Equal("unsupported", Assert.Single(verdicts).Value.Verdict);
    }

    [Theory]
    [InlineData("Sentence 1 is supported.")]
    [InlineData("")]
    [InlineData("""{"verdicts":[{"sentence":1,"verdict":"supported"}]}""")]
    [InlineData("""{"verdicts":[{"sentence":1,"verdict":"supported"},{"sentence":1,"verdict":"supported"}]}""")]
    [InlineData("""{"verdicts":[{"sentence":1,"verdict":"supported"},{"sentence":3,"verdict":"supported"}]}""")]
    [InlineData("""{"verdicts":[{"sentence":1,"verdict":"probably"},{"sentence":2,"verdict":"supported"}]}""")]
    [InlineData("""{"verdicts":[{"sentence":"1","verdict":"supported"},{"sentence":2,"verdict":"supported"}]}""")]
    [InlineData("""[{"sentence":1,"verdict":"supported"},{"sentence":2,"verdict":"supported"}]""")]
    public void Parse_AnythingButTheVerdictJson_Throws(string reply) =>
        Assert.Throws<JudgeReplyException>(() => JudgePrompt.Parse(reply, [1, 2]));

    [Fact]
    public void Parse_LongReason_IsCapped()
    {
        var verdicts = JudgePrompt.Parse($$"""{"verdicts":[{"sentence":1,"verdict":"supported","reason":"{{new string('x', 1000)}}"}]}""", [1]);

        Assert.Equal(JudgePrompt.MaxReasonChars + 1, verdicts[1].Reason!.Length);
    }

    [Fact]
    public async Task JudgeAsync_MoreSentencesThanCap_RestKeepLexicalVerdicts()
    {
        var chat = new RecordingChat(user => LlmJudgeCorpus.Verdicts(user, _ => ("unsupported", "judge says no")));
        var judge = Judge(chat, new VerificationOptions { Judge = AnswerJudgeKind.Llm, MaxSentences = 2 });
        var answer = string.Join(" ", Enumerable.Repeat("The first vaccine was developed by Edward Jenner in 1796 [1].", 3));

        var report = await judge.JudgeAsync(answer, Sources, CancellationToken.None);

        Assert.Equal("llm", report.Judge);
        Assert.Equal(2, LlmJudgeCorpus.Sentences(Assert.Single(chat.Users)).Count);
        Assert.Equal([false, false, true], report.Sentences.Select(s => s.Supported));
        Assert.Equal("judge says no", report.Sentences[0].JudgeReason);
        Assert.Null(report.Sentences[2].JudgeReason);
        Assert.Equal(0.3333, report.Ratio);
    }

    [Fact]
    public async Task JudgeAsync_PromptBudget_SendsOnlyCitedSourcesAndStopsAtBudget()
    {
        var longSource = new AnswerSource(3, "c3", "d3", "Long", string.Join(" ", Enumerable.Repeat("Smallpox was a contagious disease.", 60)));
        var chat = new RecordingChat(user => LlmJudgeCorpus.Verdicts(user, _ => ("supported", "ok")));
        var judge = Judge(chat, new VerificationOptions { Judge = AnswerJudgeKind.Llm, MaxPromptChars = 1_000 });

        var report = await judge.JudgeAsync(
            "The first vaccine was developed by Edward Jenner in 1796 [1]. Smallpox was a contagious disease [3].", [.. Sources, longSource], CancellationToken.None);

        var user = Assert.Single(chat.Users);
        Assert.Single(LlmJudgeCorpus.Sentences(user));
        Assert.Contains(SourceFencing.Open(1), user, StringComparison.Ordinal);
        Assert.DoesNotContain(SourceFencing.Open(2), user, StringComparison.Ordinal);
        Assert.DoesNotContain(SourceFencing.Open(3), user, StringComparison.Ordinal);
        Assert.Equal("ok", report.Sentences[0].JudgeReason);
        Assert.Null(report.Sentences[1].JudgeReason);
    }

    [Fact]
    public async Task JudgeAsync_NoSentenceCites_NoLlmCall()
    {
        var chat = new RecordingChat(_ => throw new InvalidOperationException("must not be called"));
        var judge = Judge(chat, new VerificationOptions { Judge = AnswerJudgeKind.Llm });

        var report = await judge.JudgeAsync("Edward Jenner developed the first vaccine.", Sources, CancellationToken.None);

        Assert.Empty(chat.Users);
        Assert.Equal(SupportIssues.NoCitation, Assert.Single(report.Sentences).Issue);
        Assert.Equal("llm", report.Judge);
    }

    [Fact]
    public async Task JudgeAsync_JudgeApprovesNegationTheSourceLacks_FloorOverrules()
    {
        var chat = new RecordingChat(user => LlmJudgeCorpus.Verdicts(user, _ => ("supported", "fine")));
        var judge = Judge(chat, new VerificationOptions { Judge = AnswerJudgeKind.Llm });

        var report = await judge.JudgeAsync("The first vaccine was not developed by Edward Jenner [1].", Sources, CancellationToken.None);

        var sentence = Assert.Single(report.Sentences);
        Assert.False(sentence.Supported);
        Assert.Equal(SupportIssues.NegationMismatch, sentence.Issue);
    }

    [Fact]
    public void Options_JudgeLlmWithoutEndpoint_FailsNamingThePath()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Retrieval:Verification:Judge"] = "llm" }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLlmAnswering(configuration);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<VerificationOptions>>().Value);

        Assert.Contains("Retrieval:Verification:Judge", error.Message, StringComparison.Ordinal);
        Assert.Contains("Retrieval:Llm:Endpoint", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lexical", false)]
    [InlineData("llm", true)]
    public void AddLlmAnswering_JudgeSetting_RegistersThatJudge(string judge, bool llm)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Retrieval:Verification:Judge"] = judge,
            ["Retrieval:Llm:Endpoint"] = "http://127.0.0.1:9/v1",
            ["Retrieval:Llm:Model"] = "m",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton<AnswerVerifier>();
        services.AddSingleton<IAnswerJudge, LexicalAnswerJudge>();
        services.AddLlmAnswering(configuration);
        using var provider = services.BuildServiceProvider();

        Assert.Equal(llm ? "llm" : "lexical", provider.GetRequiredService<IAnswerJudge>().Name);
        Assert.Equal(llm ? AnswerJudgeKind.Llm : AnswerJudgeKind.Lexical, provider.GetRequiredService<IOptions<VerificationOptions>>().Value.Judge);
    }

    private static LlmAnswerJudge Judge(IChatCompletionService chat, VerificationOptions options) => new(
        new AnswerVerifier(), chat, new StaticMonitor<VerificationOptions>(options), new StaticMonitor<LlmOptions>(new LlmOptions()), NullLogger<LlmAnswerJudge>.Instance);

    private sealed class StaticMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }

    /// <summary>A chat completion that records the user messages it was sent and replies with <paramref name="reply"/>.</summary>
    private sealed class RecordingChat(Func<string, string> reply) : IChatCompletionService
    {
        public List<string> Users { get; } = [];

        public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>();

        public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(
            ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
        {
            var user = chatHistory.Last(m => m.Role == AuthorRole.User).Content!;
            Users.Add(user);
            return Task.FromResult<IReadOnlyList<ChatMessageContent>>([new ChatMessageContent(AuthorRole.Assistant, reply(user))]);
        }

        public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
            ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            yield break;
        }
    }
}
