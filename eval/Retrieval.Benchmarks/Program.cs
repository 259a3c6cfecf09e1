using BenchmarkDotNet.Running;
using Retrieval.Benchmarks.Embeddings;

// `embeddings [...]`: hand-rolled throughput of the ONNX embedding generator against raw ONNX Runtime.
// Anything else goes to BenchmarkDotNet (e.g. `--filter *Pooling*`, `--list flat`).
if (args.Length > 0 && args[0] == "embeddings")
{
    return await EmbeddingThroughput.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(EmbeddingThroughput).Assembly).Run(args);
return 0;
