using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Options;

namespace Retrieval.Onnx;

/// <summary>
/// Sentence embeddings from a BERT-style ONNX model (snowflake-arctic-embed-xs, all-MiniLM-L6-v2, or a configured one)
/// on ONNX Runtime, CPU or CUDA. One instance holds one <see cref="InferenceSession"/> and is safe to share.
/// </summary>
/// <remarks>
/// Inputs are batched by similar token length (each batch padded only to its own longest text), pooled
/// (CLS or attention-masked mean) and L2-normalized, so cosine similarity is a dot product.
/// Inference is CPU- or GPU-bound work and runs on the calling thread; calls with many texts tokenize on the thread pool.
/// </remarks>
public sealed class OnnxEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>, IEmbeddingModelInfo, ITextTokenizer
{
    private const string LastHiddenState = "last_hidden_state";

    /// <summary>Calls with at least this many texts tokenize in parallel (below it, scheduling costs more than it saves).</summary>
    internal const int ParallelTokenizationThreshold = 16;

    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly ILogger _logger;
    private readonly PoolingMode _pooling;
    private readonly string _queryPrefix;
    private readonly int _batchSize;
    private readonly bool _shrinkArena;
    private readonly string[] _inputNames;
    private readonly BertInput[] _inputs;
    private readonly string[] _outputNames;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private int _disposed;

    private OnnxEmbeddingGenerator(InferenceSession session, string executionProvider, BertTokenizer tokenizer, ModelSource model, EmbeddingOptions options, ILogger logger)
    {
        _session = session;
        _tokenizer = tokenizer;
        _logger = logger;
        _pooling = model.Pooling;
        _queryPrefix = model.QueryPrefix;
        _batchSize = options.BatchSize;
        _shrinkArena = options.ShrinkCpuArena;
        ModelId = model.ModelId;
        MaxTokens = options.MaxTokens;
        ExecutionProvider = executionProvider;
        (_inputNames, _inputs) = MapInputs(session, model.ModelId);
        _outputNames = [FindHiddenStateOutput(session, model.ModelId)];
        Dimensions = (int)session.OutputMetadata[_outputNames[0]].Dimensions[^1];
        if (Dimensions <= 0)
        {
            Dimensions = ProbeDimensions();
        }

        _metadata = new EmbeddingGeneratorMetadata("onnxruntime", providerUri: null, ModelId, Dimensions);
    }

    /// <inheritdoc />
    public string ModelId { get; }

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public int MaxTokens { get; }

    /// <inheritdoc />
    public string ExecutionProvider { get; }

    /// <summary>The shared session (benchmarks drive it directly to measure the generator's overhead).</summary>
    internal InferenceSession Session => _session;

    internal IReadOnlyList<string> InputNames => _inputNames;

    internal IReadOnlyList<string> OutputNames => _outputNames;

    /// <summary>
    /// Loads the configured model and tokenizer and starts ONNX Runtime on the requested execution provider.
    /// Takes seconds (the shipped models are about 90 MB): create one and share it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The configuration is invalid or names something that cannot be used; the message names the setting.</exception>
    public static OnnxEmbeddingGenerator Create(EmbeddingOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var logger = (ILogger?)loggerFactory?.CreateLogger<OnnxEmbeddingGenerator>() ?? NullLogger.Instance;
        var started = Stopwatch.GetTimestamp();

        var model = ModelSource.Resolve(options);
        BertTokenizer tokenizer;
        using (var vocab = model.OpenVocab())
        {
            tokenizer = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = model.LowerCase });
        }

        var (session, provider) = InferenceSessionFactory.Create(model, options, logger);
        try
        {
            var generator = new OnnxEmbeddingGenerator(session, provider, tokenizer, model, options, logger);
            OnnxEmbeddingLog.ModelLoaded(logger, generator.ModelId, provider, generator.Dimensions, generator.MaxTokens, options.BatchSize,
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return generator;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Texts are embedded as passages unless <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> has
    /// <see cref="EmbeddingInputType.Key"/> = <see cref="EmbeddingInputType.Query"/>. Text longer than
    /// <see cref="MaxTokens"/> is truncated. Cancellation is checked between batches and stops a running batch.
    /// </remarks>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<GeneratedEmbeddings<Embedding<float>>>(cancellationToken);
        }

        if (options?.Dimensions is { } dimensions && dimensions != Dimensions)
        {
            throw new NotSupportedException($"Embedding model '{ModelId}' produces {Dimensions} dimensions; {dimensions} were requested.");
        }

        try
        {
            var texts = values as IReadOnlyList<string> ?? values.ToArray();
            return Task.FromResult(Generate(texts, IsQuery(options), cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<GeneratedEmbeddings<Embedding<float>>>(cancellationToken);
        }
        catch (Exception e)
        {
            return Task.FromException<GeneratedEmbeddings<Embedding<float>>>(e);
        }
    }

    /// <inheritdoc />
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.EncodeToIds(text, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true).Count;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        // The DI container may dispose this once per interface it is registered under.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _session.Dispose();
        }
    }

    /// <summary>Model input for one text: [CLS] + word pieces (query prefix included), truncated to <see cref="MaxTokens"/> + [SEP].</summary>
    internal int[] Tokenize(string text, bool isQuery)
    {
        ArgumentNullException.ThrowIfNull(text);
        var input = isQuery && _queryPrefix.Length > 0 ? string.Concat(_queryPrefix, text) : text;
        var pieces = _tokenizer.EncodeToIds(input, MaxTokens - 2, addSpecialTokens: false, out _, out _);
        var ids = new int[pieces.Count + 2];
        ids[0] = _tokenizer.ClassificationTokenId;
        for (var i = 0; i < pieces.Count; i++)
        {
            ids[i + 1] = pieces[i];
        }

        ids[^1] = _tokenizer.SeparatorTokenId;
        return ids;
    }

    /// <summary>Pads the given texts into one model call's tensors, in the layout the generator itself uses.</summary>
    internal BertBatch CreateBatch(int[][] tokens, ReadOnlySpan<int> rows) =>
        BertBatch.Create(tokens, rows, _inputs, _tokenizer.PaddingTokenId);

    /// <summary>Text indices ordered by token count, so that each batch pads as little as possible.</summary>
    internal static void SortByLength(int[][] tokens, Span<int> order, Span<int> lengths)
    {
        for (var i = 0; i < tokens.Length; i++)
        {
            order[i] = i;
            lengths[i] = tokens[i].Length;
        }

        lengths.Sort(order);
    }

    private GeneratedEmbeddings<Embedding<float>> Generate(IReadOnlyList<string> texts, bool isQuery, CancellationToken cancellationToken)
    {
        var count = texts.Count;
        if (count == 0)
        {
            return [];
        }

        var started = Stopwatch.GetTimestamp();
        var tokens = TokenizeAll(texts, isQuery, cancellationToken);
        long tokenCount = 0;
        foreach (var ids in tokens)
        {
            tokenCount += ids.Length;
        }

        var order = ArrayPool<int>.Shared.Rent(count);
        var lengths = ArrayPool<int>.Shared.Rent(count);
        var vectors = new float[count][];
        var batches = 0;
        try
        {
            SortByLength(tokens, order.AsSpan(0, count), lengths.AsSpan(0, count));
            for (var start = 0; start < count; start += _batchSize, batches++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RunBatch(tokens, order.AsSpan(start, Math.Min(_batchSize, count - start)), vectors, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<int>.Shared.Return(lengths);
        }

        OnnxEmbeddingLog.Embedded(_logger, count, tokenCount, batches, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        var createdAt = DateTimeOffset.UtcNow;
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(count)
        {
            Usage = new UsageDetails { InputTokenCount = tokenCount, TotalTokenCount = tokenCount },
        };
        foreach (var vector in vectors)
        {
            embeddings.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = createdAt });
        }

        return embeddings;
    }

    /// <summary>
    /// Word pieces of every text. Large calls tokenize on all cores: on a GPU the model is fast enough that a single
    /// tokenizing thread costs a third of the throughput (measured on an H200, docs/performance-embeddings.md); on the
    /// CPU it runs before inference, so it never competes with ONNX Runtime's threads.
    /// </summary>
    private int[][] TokenizeAll(IReadOnlyList<string> texts, bool isQuery, CancellationToken cancellationToken)
    {
        var tokens = new int[texts.Count][];
        if (texts.Count < ParallelTokenizationThreshold || Environment.ProcessorCount == 1)
        {
            for (var i = 0; i < tokens.Length; i++)
            {
                tokens[i] = Tokenize(texts[i], isQuery);
            }

            return tokens;
        }

        var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, tokens.Length, parallel, i => tokens[i] = Tokenize(texts[i], isQuery));
        return tokens;
    }

    private void RunBatch(int[][] tokens, ReadOnlySpan<int> rows, float[][] vectors, CancellationToken cancellationToken)
    {
        using var batch = CreateBatch(tokens, rows);
        using var runOptions = new RunOptions();
        if (_shrinkArena)
        {
            // Frees the CPU arena's regions that no tensor uses once this call ends (outputs still held keep theirs).
            runOptions.AddRunConfigEntry("memory.enable_memory_arena_shrinkage", "cpu:0");
        }

        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static state => ((RunOptions)state!).Terminate = true, runOptions)
            : default;
        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            outputs = _session.Run(runOptions, _inputNames, batch.Values, _outputNames);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }

        using (outputs)
        {
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            for (var r = 0; r < rows.Length; r++)
            {
                var vector = new float[Dimensions];
                Pooling.PoolAndNormalize(hidden, batch.SequenceLength, r, tokens[rows[r]].Length, _pooling, vector);
                vectors[rows[r]] = vector;
            }
        }
    }

    private int ProbeDimensions()
    {
        int[][] tokens = [[_tokenizer.ClassificationTokenId, _tokenizer.SeparatorTokenId]];
        using var batch = CreateBatch(tokens, [0]);
        using var runOptions = new RunOptions();
        using var outputs = _session.Run(runOptions, _inputNames, batch.Values, _outputNames);
        return (int)outputs[0].GetTensorTypeAndShape().Shape[^1];
    }

    private static bool IsQuery(EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(EmbeddingInputType.Key, out var value) == true
        && string.Equals(value?.ToString(), EmbeddingInputType.Query, StringComparison.OrdinalIgnoreCase);

    private static (string[] Names, BertInput[] Inputs) MapInputs(InferenceSession session, string modelId)
    {
        var names = session.InputMetadata.Keys.ToArray();
        var inputs = new BertInput[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            inputs[i] = names[i] switch
            {
                "input_ids" => BertInput.InputIds,
                "attention_mask" => BertInput.AttentionMask,
                "token_type_ids" => BertInput.TokenTypeIds,
                _ => throw new InvalidOperationException(
                    $"Embedding model '{modelId}' has an input '{names[i]}' that a BERT-style model does not have (expected input_ids, attention_mask and optionally token_type_ids)."),
            };
            if (session.InputMetadata[names[i]].ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64)
            {
                throw new InvalidOperationException($"Embedding model '{modelId}' input '{names[i]}' is {session.InputMetadata[names[i]].ElementDataType}; only int64 inputs are supported.");
            }
        }

        if (!inputs.Contains(BertInput.InputIds) || !inputs.Contains(BertInput.AttentionMask))
        {
            throw new InvalidOperationException(
                $"Embedding model '{modelId}' must take input_ids and attention_mask; it takes {string.Join(", ", names)}.");
        }

        return (names, inputs);
    }

    private static string FindHiddenStateOutput(InferenceSession session, string modelId)
    {
        if (session.OutputMetadata.ContainsKey(LastHiddenState))
        {
            return LastHiddenState;
        }

        return session.OutputMetadata.FirstOrDefault(o => o.Value.Dimensions.Length == 3).Key
            ?? throw new InvalidOperationException(
                $"Embedding model '{modelId}' has no token-level output (batch × sequence × dimensions) such as {LastHiddenState}; it has {string.Join(", ", session.OutputMetadata.Keys)}.");
    }

    private static void Validate(EmbeddingOptions options)
    {
        if (options.MaxTokens is < 8 or > 8192)
        {
            throw new InvalidOperationException($"{EmbeddingOptions.Section}:MaxTokens must be between 8 and 8192; it is {options.MaxTokens}.");
        }

        if (options.BatchSize is < 1 or > 1024)
        {
            throw new InvalidOperationException($"{EmbeddingOptions.Section}:BatchSize must be between 1 and 1024; it is {options.BatchSize}.");
        }

        if (options.IntraOpThreads < 0)
        {
            throw new InvalidOperationException($"{EmbeddingOptions.Section}:IntraOpThreads must be 0 (all cores) or more; it is {options.IntraOpThreads}.");
        }

        if (options.ExecutionProvider?.ToLowerInvariant() is not ("auto" or "cpu" or "cuda"))
        {
            throw new InvalidOperationException(
                $"{EmbeddingOptions.Section}:ExecutionProvider '{options.ExecutionProvider}' is not supported: use 'auto', 'cpu' or 'cuda'.");
        }
    }
}
