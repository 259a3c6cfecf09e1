using Microsoft.Extensions.AI;
using Retrieval.Core.Embeddings;

namespace Retrieval.Onnx.Tests;

[Collection(ModelsCollection.Name)]
public sealed class EmbeddingQualityTests(ModelsFixture models)
{
    private static readonly EmbeddingGenerationOptions AsQuery = new()
    {
        AdditionalProperties = new() { [EmbeddingInputType.Key] = EmbeddingInputType.Query },
    };

    private static readonly EmbeddingGenerationOptions AsDocument = new()
    {
        AdditionalProperties = new() { [EmbeddingInputType.Key] = EmbeddingInputType.Document },
    };

    // Lengths deliberately out of order, so sorting by length, padding and restoring the order all matter.
    private static readonly string[] MixedLengths =
    [
        "Vaccines teach the immune system to recognise a pathogen before a real infection happens, using weakened or inactivated "
            + "microbes, pieces of them, or messenger RNA that tells cells to make one of their proteins; the body then keeps memory "
            + "B and T cells, which respond quickly and strongly if the real pathogen ever arrives, which is why vaccinated people "
            + "usually get less sick or not sick at all.",
        "Hi.",
        "The striker scored twice in the second half.",
        "Bake at 180 degrees for forty minutes.",
        "Photosynthesis converts light energy, water and carbon dioxide into glucose and oxygen inside the chloroplasts of plant cells.",
        "Tea.",
        "A sorting algorithm puts the elements of a list into an order, and merge sort does it in O(n log n) comparisons.",
    ];

    [Theory]
    [InlineData("arctic-xs")]
    [InlineData("minilm")]
    public async Task GenerateAsync_QueryAboutVaccines_RanksVaccinePassageAboveUnrelated(string model)
    {
        var generator = models.Get(model);
        var query = (await generator.GenerateAsync(["How do vaccines train the immune system?"], AsQuery))[0];
        var passages = await generator.GenerateAsync(
        [
            "Vaccines expose the immune system to a harmless piece or weakened form of a pathogen, so that it makes antibodies and memory cells that recognise the real infection later.",
            "The striker scored twice in the second half as the home team won the football match three goals to one.",
            "Cream the butter and sugar, fold in the flour and eggs, and bake the cake at 180 degrees for forty minutes.",
        ]);

        var vaccine = Vectors.Cosine(query, passages[0]);
        var football = Vectors.Cosine(query, passages[1]);
        var baking = Vectors.Cosine(query, passages[2]);

        Assert.True(vaccine > football + 0.05f, $"vaccine {vaccine} vs football {football}");
        Assert.True(vaccine > baking + 0.05f, $"vaccine {vaccine} vs baking {baking}");
    }

    [Theory]
    [InlineData("arctic-xs")]
    [InlineData("minilm")]
    public async Task GenerateAsync_BatchOfMixedLengths_MatchesOneByOne(string model)
    {
        var generator = models.Get(model);

        var batch = await generator.GenerateAsync(MixedLengths);

        Assert.Equal(MixedLengths.Length, batch.Count);
        for (var i = 0; i < MixedLengths.Length; i++)
        {
            var single = (await generator.GenerateAsync([MixedLengths[i]]))[0];
            var cosine = Vectors.Cosine(single, batch[i]);
            Assert.True(cosine > 0.9999f, $"text {i}: batch vs single cosine {cosine}");
        }
    }

    [Fact]
    public async Task GenerateAsync_ManyTexts_TokenizedInParallelMatchesOneByOne()
    {
        var generator = models.Get("arctic-xs");
        var texts = Enumerable.Range(0, OnnxEmbeddingGenerator.ParallelTokenizationThreshold * 3)
            .Select(i => $"{MixedLengths[i % MixedLengths.Length]} Variant {i}: {string.Join(' ', Enumerable.Repeat("word", i % 11))}")
            .ToArray();

        var batch = await generator.GenerateAsync(texts, AsDocument);

        Assert.Equal(texts.Length, batch.Count);
        for (var i = 0; i < texts.Length; i += 7)
        {
            var single = (await generator.GenerateAsync([texts[i]], AsDocument))[0];
            var cosine = Vectors.Cosine(single, batch[i]);
            Assert.True(cosine > 0.9999f, $"text {i}: parallel batch vs single cosine {cosine}");
        }
    }

    [Theory]
    [InlineData("arctic-xs")]
    [InlineData("minilm")]
    public async Task GenerateAsync_AnyText_ReturnsUnitVectorsOfModelDimensions(string model)
    {
        var generator = models.Get(model);

        var embeddings = await generator.GenerateAsync(MixedLengths);

        Assert.All(embeddings, e =>
        {
            Assert.Equal(384, e.Dimensions);
            Assert.Equal(1f, Vectors.Norm(e), 3);
            Assert.Equal(generator.ModelId, e.ModelId);
        });
        Assert.Equal(MixedLengths.Sum(t => generator.CountTokens(t) + 2), embeddings.Usage?.InputTokenCount);
    }

    [Theory]
    [InlineData("arctic-xs")]
    [InlineData("minilm")]
    public void Create_ShippedModel_ReportsModelOn384DimensionsAndMetadata(string model)
    {
        var generator = models.Get(model);

        Assert.Equal(model, generator.ModelId);
        Assert.Equal(384, generator.Dimensions);
        Assert.Equal(512, generator.MaxTokens);
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("onnxruntime", metadata.ProviderName);
        Assert.Equal(model, metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        Assert.Same(generator, generator.GetService<IEmbeddingModelInfo>());
        Assert.Same(generator, generator.GetService<ITextTokenizer>());
        Assert.Null(generator.GetService<IEmbeddingModelInfo>(serviceKey: "other"));
    }

    [Fact]
    public void ExecutionProvider_CpuRequested_IsCpu() => Assert.Equal("CPU", models.MiniLm.ExecutionProvider);

    [NoCudaDeviceFact]
    public void ExecutionProvider_AutoWithoutGpu_FallsBackToCpuWithWarning()
    {
        Assert.Equal("CPU", models.Arctic.ExecutionProvider);
        Assert.Contains(models.ArcticLog.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("CUDA", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GenerateAsync_ArcticQuery_DiffersFromSameTextAsDocument()
    {
        const string text = "effects of caffeine on sleep quality";
        var query = (await models.Arctic.GenerateAsync([text], AsQuery))[0];
        var document = (await models.Arctic.GenerateAsync([text], AsDocument))[0];
        var unspecified = (await models.Arctic.GenerateAsync([text]))[0];

        Assert.True(Vectors.Cosine(query, document) < 0.99f, $"query vs document cosine {Vectors.Cosine(query, document)}");
        Assert.True(Vectors.Cosine(unspecified, document) > 0.99999f, "documents are the default");
        Assert.Equal(models.Arctic.Tokenize(text, isQuery: false).Length + models.Arctic.CountTokens(ModelSource.ArcticQueryPrefix),
            models.Arctic.Tokenize(text, isQuery: true).Length);
    }

    [Fact]
    public async Task GenerateAsync_MiniLmQuery_SameAsDocument()
    {
        const string text = "effects of caffeine on sleep quality";
        var query = (await models.MiniLm.GenerateAsync([text], AsQuery))[0];
        var document = (await models.MiniLm.GenerateAsync([text], AsDocument))[0];

        Assert.True(Vectors.Cosine(query, document) > 0.99999f);
        Assert.Equal(models.MiniLm.Tokenize(text, isQuery: false), models.MiniLm.Tokenize(text, isQuery: true));
    }

    [Fact]
    public async Task GenerateAsync_OtherDimensionsRequested_ThrowsNotSupported()
    {
        await Assert.ThrowsAsync<NotSupportedException>(() => models.MiniLm.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = 768 }));
    }
}
