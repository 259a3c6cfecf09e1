using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Retrieval.Onnx.Tests;

internal static class Vectors
{
    public static float Cosine(Embedding<float> a, Embedding<float> b) =>
        TensorPrimitives.CosineSimilarity(a.Vector.Span, b.Vector.Span);

    public static float Norm(Embedding<float> a) => TensorPrimitives.Norm(a.Vector.Span);
}

/// <summary>Whether this machine has an NVIDIA device (the CUDA libraries may still be missing).</summary>
internal static class CudaDevice
{
    public static bool IsPresent { get; } =
        File.Exists("/dev/nvidia0")
        || (Directory.Exists("/proc/driver/nvidia/gpus") && Directory.EnumerateFileSystemEntries("/proc/driver/nvidia/gpus").Any());
}

/// <summary>A fact that only means something on a machine without a GPU.</summary>
public sealed class NoCudaDeviceFactAttribute : FactAttribute
{
    public NoCudaDeviceFactAttribute()
    {
        if (CudaDevice.IsPresent)
        {
            Skip = "A CUDA GPU is present on this machine; this test checks behaviour without one.";
        }
    }
}

/// <summary>Keeps every log entry, so tests can assert what a component warned about.</summary>
public sealed class RecordingLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(Entries);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class RecordingLogger(ConcurrentQueue<(LogLevel, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
