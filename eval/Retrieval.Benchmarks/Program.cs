using BenchmarkDotNet.Running;
using Retrieval.Benchmarks.Embeddings;

// `embeddings [...]`: hand-rolled throughput of the ONNX embedding generator against raw ONNX Runtime.
// Anything else goes to BenchmarkDotNet (e.g. `--filter *Pooling*`, `--list flat`).
// `ingest`, `corpus`, `load`: pipeline throughput per model, the 50k-chunk latency corpus, the load generator.
// `global`: cost of global graph retrieval (communities + summaries) on MuSiQue or A Christmas Carol.
// `graph`: the local graph retriever's stage timings on an existing store, and a digest of its results.
switch (args.FirstOrDefault())
{
    case "embeddings":
        return await EmbeddingThroughput.RunAsync(args[1..]);
    case "ingest":
        return await Retrieval.Benchmarks.Load.IngestBenchmark.RunIngestAsync(args[1..]);
    case "corpus":
        return await Retrieval.Benchmarks.Load.IngestBenchmark.RunCorpusAsync(args[1..]);
    case "load":
        return await Retrieval.Benchmarks.Load.LoadGenerator.RunAsync(args[1..]);
    case "global":
        return await Retrieval.Benchmarks.Load.GlobalGraphBenchmark.RunAsync(args[1..]);
    case "graph":
        return await Retrieval.Benchmarks.Load.GraphRetrieverBenchmark.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(EmbeddingThroughput).Assembly).Run(args);
return 0;
