using Retrieval.Core.Ingestion.Parsing;

namespace Retrieval.Core.Tests.Ingestion;

public sealed class LimitedReadStreamTests
{
    [Fact]
    public void Read_PastLimit_ThrowsPayloadTooLarge()
    {
        // The backstop for archives that under-declare their uncompressed sizes.
        using var stream = new LimitedReadStream(new MemoryStream(new byte[1000]), limit: 100);

        Assert.Throws<PayloadTooLargeException>(() => stream.CopyTo(Stream.Null));
    }

    [Fact]
    public void Read_WithinLimit_ReturnsAllBytes()
    {
        using var stream = new LimitedReadStream(new MemoryStream(new byte[100]), limit: 100);
        using var copy = new MemoryStream();

        stream.CopyTo(copy);

        Assert.Equal(100, copy.Length);
    }
}
