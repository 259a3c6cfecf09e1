using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Retrieval.Core.Options;
using Retrieval.Onnx;

namespace Retrieval.Benchmarks.Embeddings;

/// <summary>
/// How much of raw ONNX Runtime's throughput the embedding generator keeps. Both sides run the same
/// <see cref="InferenceSession"/> over the same length-sorted, padded batches: "raw" only calls
/// <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string})"/>
/// on tensors built beforehand; "generator" is the whole <c>GenerateAsync</c> (tokenize, sort, pad, run, pool, normalize).
/// </summary>
internal static class EmbeddingThroughput
{
    private const string Usage =
        "usage: embeddings [--model arctic-xs|minilm] [--texts N] [--corpus corpus.jsonl] [--batch-size B] [--threads T] [--runs R] [--provider cpu|auto|cuda]";

    public static async Task<int> RunAsync(string[] args)
    {
        Settings settings;
        try
        {
            settings = Settings.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"{e.Message}\n{Usage}");
            return 2;
        }

        if (settings.Corpus is null || !File.Exists(settings.Corpus))
        {
            await Console.Error.WriteLineAsync($"corpus not found ({settings.Corpus ?? "no shared/datasets/scifact/corpus.jsonl above the current directory"}); pass --corpus.\n{Usage}");
            return 2;
        }

        var texts = Corpus.ReadAbstracts(settings.Corpus, settings.Texts);
        Console.WriteLine($"corpus {settings.Corpus}: {texts.Count} abstracts; batch size {settings.BatchSize}; intra-op threads {(settings.Threads == 0 ? "all" : settings.Threads)}; " +
            $"{Environment.ProcessorCount} logical cores; mean of {settings.Runs} runs, raw and generator timed back to back per batch");
        Console.WriteLine();

        var results = new List<Result>();
        foreach (var model in settings.Models)
        {
            results.Add(await MeasureAsync(model, texts, settings));
        }

        Console.WriteLine();
        Console.WriteLine("| model | provider | texts | tokens (with padding) | raw tokens/s | raw texts/s | generator tokens/s | generator texts/s | generator ÷ raw (wall) | generator ÷ raw (CPU time) | tokenize ms |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Model} | {r.Provider} | {r.Texts} | {r.Tokens} ({r.PaddedTokens}) | {r.Tokens / r.RawSeconds:F0} | {r.Texts / r.RawSeconds:F1} | " +
                $"{r.Tokens / r.GeneratorSeconds:F0} | {r.Texts / r.GeneratorSeconds:F1} | {r.RawSeconds / r.GeneratorSeconds:P1} | {r.RawCpuSeconds / r.GeneratorCpuSeconds:P1} | {r.TokenizeSeconds * 1000:F0} |"));
        }

        return 0;
    }

    private static async Task<Result> MeasureAsync(string model, List<string> texts, Settings settings)
    {
        using var generator = OnnxEmbeddingGenerator.Create(new EmbeddingOptions
        {
            Model = model,
            ExecutionProvider = settings.Provider,
            BatchSize = settings.BatchSize,
            IntraOpThreads = settings.Threads,
        });

        // Tokenize once for the raw side; timed, since it is the generator's main extra work.
        var tokenizeStarted = Stopwatch.GetTimestamp();
        var tokens = texts.Select(t => generator.Tokenize(t, isQuery: false)).ToArray();
        var tokenizeSeconds = Stopwatch.GetElapsedTime(tokenizeStarted).TotalSeconds;

        var order = new int[tokens.Length];
        OnnxEmbeddingGenerator.SortByLength(tokens, order, new int[tokens.Length]);
        var batches = new List<BertBatch>();
        var batchTexts = new List<string[]>();
        for (var start = 0; start < order.Length; start += settings.BatchSize)
        {
            var rows = order.AsSpan(start, Math.Min(settings.BatchSize, order.Length - start));
            batches.Add(generator.CreateBatch(tokens, rows));
            batchTexts.Add(rows.ToArray().Select(i => texts[i]).ToArray());
        }

        try
        {
            long realTokens = tokens.Sum(t => (long)t.Length);
            long paddedTokens = batches.Sum(b => (long)b.Rows * b.SequenceLength);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{model} on {generator.ExecutionProvider}: {texts.Count} texts, {realTokens} tokens ({paddedTokens} with padding) in {batches.Count} batches; tokenizing took {tokenizeSeconds * 1000:F0} ms"));

            // Warm-up: first runs allocate ONNX Runtime's arena and JIT the managed paths.
            RunRaw(generator, batches[0]);
            await generator.GenerateAsync(batchTexts[0]);

            // Each batch is timed raw and through the generator back to back (alternating which goes first), so that
            // load from other processes on a shared machine falls on both sides alike rather than on whole passes.
            var clock = new Timings();
            for (var run = 1; run <= settings.Runs; run++)
            {
                var before = clock;
                for (var b = 0; b < batches.Count; b++)
                {
                    if ((b + run) % 2 == 0)
                    {
                        clock = clock.AddRaw(Measure(() => RunRaw(generator, batches[b])));
                        clock = clock.AddGenerator(await MeasureAsync(() => generator.GenerateAsync(batchTexts[b])));
                    }
                    else
                    {
                        clock = clock.AddGenerator(await MeasureAsync(() => generator.GenerateAsync(batchTexts[b])));
                        clock = clock.AddRaw(Measure(() => RunRaw(generator, batches[b])));
                    }
                }

                var rawSeconds = clock.RawWall - before.RawWall;
                var generatorSeconds = clock.GeneratorWall - before.GeneratorWall;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  run {run}: raw {rawSeconds:F2} s ({realTokens / rawSeconds:F0} tokens/s), generator {generatorSeconds:F2} s ({realTokens / generatorSeconds:F0} tokens/s)"));
            }

            return new Result(model, generator.ExecutionProvider, texts.Count, realTokens, paddedTokens,
                clock.RawWall / settings.Runs, clock.GeneratorWall / settings.Runs, clock.RawCpu / settings.Runs, clock.GeneratorCpu / settings.Runs, tokenizeSeconds);
        }
        finally
        {
            foreach (var batch in batches)
            {
                batch.Dispose();
            }
        }
    }

    /// <summary>Only the ONNX Runtime call, on pre-built tensors; the output is not read.</summary>
    private static void RunRaw(OnnxEmbeddingGenerator generator, BertBatch batch)
    {
        using var runOptions = new RunOptions();
        using var outputs = generator.Session.Run(runOptions, generator.InputNames, batch.Values, generator.OutputNames);
    }

    private static (double Wall, double Cpu) Measure(Action action)
    {
        var cpu = Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        action();
        return (Stopwatch.GetElapsedTime(started).TotalSeconds, (Environment.CpuUsage.TotalTime - cpu).TotalSeconds);
    }

    private static async Task<(double Wall, double Cpu)> MeasureAsync<T>(Func<Task<T>> action)
    {
        var cpu = Environment.CpuUsage.TotalTime;
        var started = Stopwatch.GetTimestamp();
        await action();
        return (Stopwatch.GetElapsedTime(started).TotalSeconds, (Environment.CpuUsage.TotalTime - cpu).TotalSeconds);
    }

    /// <summary>Wall-clock and process CPU seconds, summed per side.</summary>
    private readonly record struct Timings(double RawWall, double RawCpu, double GeneratorWall, double GeneratorCpu)
    {
        public Timings AddRaw((double Wall, double Cpu) t) => this with { RawWall = RawWall + t.Wall, RawCpu = RawCpu + t.Cpu };

        public Timings AddGenerator((double Wall, double Cpu) t) => this with { GeneratorWall = GeneratorWall + t.Wall, GeneratorCpu = GeneratorCpu + t.Cpu };
    }

    private sealed record Result(string Model, string Provider, int Texts, long Tokens, long PaddedTokens,
        double RawSeconds, double GeneratorSeconds, double RawCpuSeconds, double GeneratorCpuSeconds, double TokenizeSeconds);

    private sealed record Settings(IReadOnlyList<string> Models, int Texts, string? Corpus, int BatchSize, int Threads, int Runs, string Provider)
    {
        public static Settings Parse(string[] args)
        {
            var settings = new Settings(["arctic-xs", "minilm"], 512, Embeddings.Corpus.FindDefault(), 32, 0, 3, "cpu");
            for (var i = 0; i < args.Length; i++)
            {
                var value = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                settings = args[i - 1] switch
                {
                    "--model" => settings with { Models = [value] },
                    "--texts" => settings with { Texts = Positive(value, "--texts") },
                    "--corpus" => settings with { Corpus = value },
                    "--batch-size" => settings with { BatchSize = Positive(value, "--batch-size") },
                    "--threads" => settings with { Threads = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--runs" => settings with { Runs = Positive(value, "--runs") },
                    "--provider" => settings with { Provider = value },
                    _ => throw new ArgumentException($"unknown option {args[i - 1]}"),
                };
            }

            return settings;
        }

        private static int Positive(string value, string name) =>
            int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive number");
    }
}
