using Microsoft.Extensions.Hosting;
using Retrieval.Core.Jobs;
using Retrieval.Core.Storage;

namespace Retrieval.Hosting;

/// <summary>Creates or migrates the schemas before anything else runs (hosted services start in order).</summary>
internal sealed class StoreInitializer : IHostedService
{
    private readonly IDocumentStore _documents;
    private readonly IJobQueue _jobs;

    public StoreInitializer(IDocumentStore documents, IJobQueue jobs)
    {
        _documents = documents;
        _jobs = jobs;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _documents.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await _jobs.InitializeAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
