using System.Net;
using System.Net.Http.Headers;
using Retrieval.Cli.Ingest;

namespace Retrieval.Cli.Client;

/// <summary>
/// One file of a multipart upload. The file is opened only while its bytes are written to the request, so an
/// upload of thousands of files holds one file handle and one buffer at a time.
/// </summary>
internal sealed class FileUploadContent : HttpContent
{
    private readonly IngestFile file;

    public FileUploadContent(IngestFile file)
    {
        this.file = file;
        Headers.ContentType = new MediaTypeHeaderValue(SupportedFiles.MediaType(file.Name));
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var source = new FileStream(
            file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81_920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await source.CopyToAsync(stream, cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = new FileInfo(file.FullPath).Length;
        return true;
    }
}
