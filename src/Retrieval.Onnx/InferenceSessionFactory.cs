using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Retrieval.Core.Options;

namespace Retrieval.Onnx;

/// <summary>Creates the one shared <see cref="InferenceSession"/> on the execution provider that <c>auto|cpu|cuda</c> asks for.</summary>
internal static class InferenceSessionFactory
{
    public const string Cpu = "CPU";
    public const string Cuda = "CUDA";

    public static (InferenceSession Session, string ExecutionProvider) Create(ModelSource model, EmbeddingOptions options, ILogger logger)
    {
        var requested = options.ExecutionProvider?.ToLowerInvariant() ?? "auto";
        switch (requested)
        {
            case "cpu":
                return (CreateSession(model, CpuOptions(options)), Cpu);

            case "cuda":
                try
                {
                    return (CreateCudaSession(model, options), Cuda);
                }
                catch (Exception e) when (IsCudaFailure(e))
                {
                    throw new InvalidOperationException(
                        $"{EmbeddingOptions.Section}:ExecutionProvider is 'cuda' but the CUDA execution provider cannot be used: {e.Message.Trim().TrimEnd('.')}. " +
                        "It needs an NVIDIA GPU with its driver, and the CUDA 13 runtime (libcudart, libcublas) and cuDNN 9 libraries on the library path. " +
                        "Set it to 'auto' to fall back to CPU, or to 'cpu'.", e);
                }

            case "auto":
                if (!NvidiaDeviceMayBePresent())
                {
                    // Skips loading the 284 MB CUDA provider (and ONNX Runtime's own error log about it) on CPU-only machines.
                    OnnxEmbeddingLog.CudaUnavailable(logger, "no NVIDIA GPU device (/dev/nvidia*) on this machine.");
                    return (CreateSession(model, CpuOptions(options)), Cpu);
                }

                try
                {
                    return (CreateCudaSession(model, options), Cuda);
                }
                catch (Exception e) when (IsCudaFailure(e))
                {
                    OnnxEmbeddingLog.CudaUnavailable(logger, e.Message.Trim());
                    return (CreateSession(model, CpuOptions(options)), Cpu);
                }

            default:
                throw new InvalidOperationException(
                    $"{EmbeddingOptions.Section}:ExecutionProvider '{options.ExecutionProvider}' is not supported: use 'auto', 'cpu' or 'cuda'.");
        }
    }

    private static InferenceSession CreateCudaSession(ModelSource model, EmbeddingOptions options)
    {
        if (!OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
        {
            throw new NotSupportedException("This ONNX Runtime build has no CUDA execution provider (reference Microsoft.ML.OnnxRuntime.Gpu.Linux, not the CPU package).");
        }

        // The CPU arena setting applies to CPU sessions only: a CUDA session keeps ONNX Runtime's defaults (its tensors
        // live in the CUDA arena), untested with an environment-wide CPU arena on the development machines.
        var sessionOptions = CpuOptions(options, sharedCpuArena: false);
        try
        {
            // Loads libonnxruntime_providers_cuda.so and with it libcudart/libcublas/libcudnn: this is where a
            // machine without the CUDA libraries fails. A machine with the libraries but no device fails when the
            // session is created below.
            sessionOptions.AppendExecutionProvider_CUDA(0);
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }

        return CreateSession(model, sessionOptions);
    }

    private static SessionOptions CpuOptions(EmbeddingOptions options, bool sharedCpuArena = true)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        if (options.IntraOpThreads > 0)
        {
            sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
        }

        if (sharedCpuArena && string.Equals(options.CpuArenaExtendStrategy, "sameAsRequested", StringComparison.OrdinalIgnoreCase))
        {
            // The session's own CPU arena cannot be configured; a CPU arena registered on the process-wide OrtEnv can,
            // and "session.use_env_allocators" makes the session use it instead of its own.
            EnsureSameAsRequestedCpuArena();
            sessionOptions.AddSessionConfigEntry("session.use_env_allocators", "1");
        }

        return sessionOptions;
    }

    private static readonly Lock ArenaLock = new();
    private static bool s_arenaRegistered;

    /// <summary>Registers, once per process, a CPU arena on the OrtEnv that grows by the requested size (kSameAsRequested = 1).</summary>
    private static void EnsureSameAsRequestedCpuArena()
    {
        lock (ArenaLock)
        {
            if (s_arenaRegistered)
            {
                return;
            }

            using var memoryInfo = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
            using var arena = new OrtArenaCfg(maxMemory: 0, arenaExtendStrategy: 1, initialChunkSizeBytes: -1, maxDeadBytesPerChunk: -1);
            OrtEnv.Instance().CreateAndRegisterAllocator(memoryInfo, arena);
            s_arenaRegistered = true;
        }
    }

    /// <summary>Takes ownership of <paramref name="sessionOptions"/>.</summary>
    private static InferenceSession CreateSession(ModelSource model, SessionOptions sessionOptions)
    {
        using (sessionOptions)
        {
            return model.ModelPath is { } path
                ? new InferenceSession(path, sessionOptions)
                : new InferenceSession(model.ReadModelBytes(), sessionOptions);
        }
    }

    /// <summary>False only where it is certain: a Linux machine with no NVIDIA device node (WSL exposes GPUs as /dev/dxg).</summary>
    private static bool NvidiaDeviceMayBePresent()
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        try
        {
            return File.Exists("/dev/dxg")
                || Directory.EnumerateFileSystemEntries("/dev", "nvidia*")
                    .Select(path => Path.GetFileName(path)["nvidia".Length..])
                    .Any(suffix => suffix.Length > 0 && suffix.All(char.IsAsciiDigit));
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static bool IsCudaFailure(Exception e) =>
        e is OnnxRuntimeException or NotSupportedException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException;
}
