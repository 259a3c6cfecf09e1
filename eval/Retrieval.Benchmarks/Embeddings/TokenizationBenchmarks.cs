using BenchmarkDotNet.Attributes;
using Retrieval.Core.Options;
using Retrieval.Onnx;

namespace Retrieval.Benchmarks.Embeddings;

/// <summary>WordPiece tokenization of one scientific abstract (about 300 tokens), the generator's main CPU work besides inference.</summary>
[MemoryDiagnoser]
public class TokenizationBenchmarks : IDisposable
{
    private const string Abstract =
        "Alterations of the architecture of cerebral white matter in the developing human brain can affect cortical development and "
        + "result in functional disabilities. A line scan diffusion-weighted magnetic resonance imaging (MRI) sequence with diffusion "
        + "tensor analysis was applied to measure the apparent diffusion coefficient, to calculate relative anisotropy, and to delineate "
        + "three-dimensional fiber architecture in cerebral white matter in preterm (n = 17) and full-term infants (n = 7). To assess "
        + "effects of prematurity on cerebral white matter development, early gestation preterm infants (n = 10) were studied a second "
        + "time at term. In the central white matter the mean apparent diffusion coefficient at 28 wk was high, 1.8 microm2/ms, and "
        + "decreased toward term to 1.2 microm2/ms. In the posterior limb of the internal capsule, the mean apparent diffusion "
        + "coefficients at both times were similar (1.2 versus 1.1 microm2/ms). Relative anisotropy was higher the closer birth was to term "
        + "with greater absolute values in the internal capsule than in the central white matter.";

    private OnnxEmbeddingGenerator? _generator;

    [GlobalSetup]
    public void Setup() => _generator = OnnxEmbeddingGenerator.Create(new EmbeddingOptions { Model = "minilm", ExecutionProvider = "cpu" });

    [Benchmark]
    public int Tokenize() => _generator!.Tokenize(Abstract, isQuery: false).Length;

    [Benchmark]
    public int CountTokens() => _generator!.CountTokens(Abstract);

    [GlobalCleanup]
    public void Dispose()
    {
        _generator?.Dispose();
        GC.SuppressFinalize(this);
    }
}
