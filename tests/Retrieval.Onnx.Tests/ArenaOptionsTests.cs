using Retrieval.Core.Options;

namespace Retrieval.Onnx.Tests;

/// <summary>
/// The CPU arena settings change only where ONNX Runtime's working memory comes from, never the vectors: the fixture's
/// MiniLM runs with the defaults (the process-wide arena that grows by the requested size, shrunk after every call),
/// and a second MiniLM with ONNX Runtime's own per-session arena (doubling, never shrunk) must embed alike.
/// </summary>
[Collection(ModelsCollection.Name)]
public sealed class ArenaOptionsTests(ModelsFixture models)
{
    [Fact]
    public async Task GenerateAsync_SameAsRequestedShrunkArena_EmbedsLikeSessionOwnArena()
    {
        var defaults = new EmbeddingOptions();
        Assert.Equal("sameAsRequested", defaults.CpuArenaExtendStrategy);
        Assert.True(defaults.ShrinkCpuArena);

        using var ownArena = OnnxEmbeddingGenerator.Create(new EmbeddingOptions
        {
            Model = "minilm",
            ExecutionProvider = "cpu",
            BatchSize = ModelsFixture.MiniLmBatchSize,
            CpuArenaExtendStrategy = "nextPowerOfTwo",
            ShrinkCpuArena = false,
        });

        // Calls of growing and shrinking shapes, so the shrunk arena is emptied and regrown between them.
        string[][] calls =
        [
            ["short"],
            [string.Join(' ', Enumerable.Repeat("mitochondria produce energy for the cell", 40)), "a second text", "third"],
            ["tiny", "also tiny"],
            [string.Join(' ', Enumerable.Repeat("the quick brown fox jumps over the lazy dog", 60))],
        ];
        foreach (var texts in calls)
        {
            var expected = await ownArena.GenerateAsync(texts);
            var actual = await models.MiniLm.GenerateAsync(texts);
            for (var i = 0; i < texts.Length; i++)
            {
                Assert.True(Vectors.Cosine(expected[i], actual[i]) > 0.99999f, $"text {i} of a {texts.Length}-text call differs");
            }
        }
    }
}
