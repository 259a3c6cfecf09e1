using System.Runtime.InteropServices;
using Retrieval.Hosting;

namespace Retrieval.Api.Tests;

/// <summary>
/// Measures this process's RssAnon around one malloc_trim, so it runs alone: a test in a parallel collection allocating
/// in that window (a host starting, a model loading) would be counted against what the trim released.
/// </summary>
[Collection(NativeMemoryCollection.Name)]
public sealed class NativeMemoryTrimmerTests
{
    [Fact]
    public void TrimOnce_FreedBlocksInsideTheCHeap_ReturnsThemToTheOs()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // malloc_trim is glibc's; the trimmer turns itself off elsewhere.
        }

        Assert.True(NativeMemoryTrimmer.IsAvailable());

        // 96 MiB of small blocks (below the mmap threshold, so they come from a C-heap arena), all touched; then all
        // but the last are freed. The last one pins the arena's top, so free() cannot shrink the heap by itself and
        // the freed 96 MiB stays resident inside it: the fragmentation that only malloc_trim gives back.
        const int blockSize = 4096;
        const int blocks = 96 * 256;
        var pointers = new nint[blocks];
        var ones = Enumerable.Repeat((byte)1, blockSize).ToArray();
        for (var i = 0; i < blocks; i++)
        {
            pointers[i] = Marshal.AllocHGlobal(blockSize); // malloc on Unix
            Marshal.Copy(ones, 0, pointers[i], blockSize);
        }

        for (var i = 0; i < blocks - 1; i++)
        {
            Marshal.FreeHGlobal(pointers[i]);
        }

        try
        {
            var released = NativeMemoryTrimmer.TrimOnce();

            Assert.True(released >= 48L * 1024 * 1024, $"released {released / (1024.0 * 1024.0):F1} MiB");
        }
        finally
        {
            Marshal.FreeHGlobal(pointers[^1]);
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeMemoryCollection
{
    public const string Name = "native memory (runs alone)";
}
