using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Jobs;
using Retrieval.Core.Options;
using Retrieval.Core.Storage;

namespace Retrieval.Hosting;

/// <summary>Creates or migrates the schemas before anything else runs (hosted services start in order).</summary>
internal sealed class StoreInitializer : IHostedService
{
    private readonly IDocumentStore _documents;
    private readonly IJobQueue _jobs;
    private readonly IEmbeddingModelInfo _model;
    private readonly IOptions<StorageOptions> _storage;

    public StoreInitializer(IDocumentStore documents, IJobQueue jobs, IEmbeddingModelInfo model, IOptions<StorageOptions> storage)
    {
        _documents = documents;
        _jobs = jobs;
        _model = model;
        _storage = storage;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _documents.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await _jobs.InitializeAsync(cancellationToken).ConfigureAwait(false);

        // Vectors of different models are not comparable (arctic-xs and minilm are both 384-d, so a dimension
        // check cannot tell): refuse to start rather than silently mixing them.
        var models = await _documents.GetEmbeddingModelsAsync(cancellationToken).ConfigureAwait(false);
        var others = models.Where(m => !string.Equals(m, _model.ModelId, StringComparison.Ordinal)).ToList();
        if (others.Count > 0)
        {
            throw new InvalidOperationException(
                $"The store holds embeddings of model '{string.Join("', '", others)}', but {EmbeddingOptions.Section}:Model is " +
                $"'{_model.ModelId}'. Set the model back, or index into a fresh store (a new {StorageOptions.Section}:DataDirectory " +
                $"for the embedded store, a new schema for PostgreSQL).");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
