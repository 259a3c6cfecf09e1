using BenchmarkDotNet.Attributes;
using Retrieval.Onnx;

namespace Retrieval.Benchmarks.Embeddings;

/// <summary>The generator's own work after ONNX Runtime returns: pooling one batch's token vectors and normalizing.</summary>
[MemoryDiagnoser]
public class PoolingBenchmarks
{
    private const int Rows = 32;
    private const int Dimensions = 384;

    private float[] _hidden = [];
    private readonly float[] _destination = new float[Dimensions];

    [Params(128, 512)]
    public int SequenceLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _hidden = new float[Rows * SequenceLength * Dimensions];
        for (var i = 0; i < _hidden.Length; i++)
        {
            _hidden[i] = (float)(random.NextDouble() * 2 - 1);
        }
    }

    [Benchmark(Baseline = true)]
    public float ClsPooling()
    {
        for (var row = 0; row < Rows; row++)
        {
            Pooling.PoolAndNormalize(_hidden, SequenceLength, row, SequenceLength, PoolingMode.Cls, _destination);
        }

        return _destination[0];
    }

    [Benchmark]
    public float MeanPooling()
    {
        for (var row = 0; row < Rows; row++)
        {
            Pooling.PoolAndNormalize(_hidden, SequenceLength, row, SequenceLength, PoolingMode.Mean, _destination);
        }

        return _destination[0];
    }
}
