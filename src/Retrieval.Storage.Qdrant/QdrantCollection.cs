using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Qdrant.Client;
using Qdrant.Client.Grpc;
using Retrieval.Core;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Qdrant;

/// <summary>
/// The one Qdrant collection this service uses: the client, the layout check and creation (once per process, again
/// after a failure), and the translation of every Qdrant or transport failure into a
/// <see cref="DependencyUnavailableException"/> (503) whose message names the setting to check and never any data.
/// Shared by the projection and the two indexes.
/// </summary>
public sealed partial class QdrantCollection : IDisposable
{
    private readonly QdrantClient client;
    private readonly Func<int> dimensions;
    private readonly ILogger logger;
    private readonly SemaphoreSlim ensureLock = new(1, 1);
    private volatile bool ensured;

    /// <param name="options">The validated settings.</param>
    /// <param name="dimensions">The embedding model's vector size (read when the collection is first used).</param>
    /// <param name="logger">Failure details go here (Warning), not into exception messages.</param>
    public QdrantCollection(QdrantStorageOptions options, Func<int> dimensions, ILogger<QdrantCollection>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(dimensions);
        Options = options;
        this.dimensions = dimensions;
        this.logger = (ILogger?)logger ?? NullLogger.Instance;
        Encoder = new Bm25SparseEncoder(options.Bm25K1, options.Bm25B, options.Bm25AverageLength);
        client = new QdrantClient(
            new Uri(options.Endpoint),
            string.IsNullOrWhiteSpace(options.ApiKey) ? null : options.ApiKey,
            TimeSpan.FromSeconds(options.TimeoutSeconds));
    }

    public string Name => Options.Collection;

    public QdrantStorageOptions Options { get; }

    internal Bm25SparseEncoder Encoder { get; }

    internal QdrantClient Client => client;

    public int Dimensions => dimensions();

    /// <summary>
    /// Creates the collection and its payload indexes when missing (idempotent; a concurrent creator is fine), and
    /// refuses a collection whose dense vectors have another size than the embedding model's.
    /// </summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (ensured)
        {
            return;
        }

        await ensureLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (ensured)
            {
                return;
            }

            await CallAsync("create collection", async () =>
            {
                if (!await client.CollectionExistsAsync(Name, cancellationToken).ConfigureAwait(false))
                {
                    try
                    {
                        await client.CreateCollectionAsync(QdrantSchema.CreateCollectionRequest(Name, Dimensions, Options), cancellationToken).ConfigureAwait(false);
                        LogCreated(logger, Name, Dimensions);
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
                    {
                        // Another process created it first.
                    }
                }

                var info = await client.GetCollectionInfoAsync(Name, cancellationToken).ConfigureAwait(false);
                var size = QdrantSchema.DenseSize(info);
                if (size != (ulong)Dimensions)
                {
                    throw new InvalidOperationException(
                        $"The Qdrant collection '{Name}' holds dense vectors of size {size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} named " +
                        $"'{QdrantSchema.DenseVector}', but the embedding model produces {Dimensions}. Set {QdrantStorageOptions.Section}:Collection " +
                        "to a new collection for this model, or set the model back.");
                }

                foreach (var (field, type, indexParams) in QdrantSchema.PayloadIndexes)
                {
                    await client.CreatePayloadIndexAsync(Name, field, type, indexParams, wait: true, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
            ensured = true;
        }
        finally
        {
            ensureLock.Release();
        }
    }

    /// <summary>Qdrant's health call (version and commit, which are not reported further).</summary>
    public Task PingAsync(CancellationToken cancellationToken) =>
        CallAsync("health check", () => client.HealthAsync(cancellationToken));

    /// <summary>Searches with each request (one round trip for all of them) and returns each one's chunk ids and scores.</summary>
    internal async Task<IReadOnlyList<IReadOnlyList<ScoredChunk>>> QueryAsync(IReadOnlyList<QueryPoints> requests, CancellationToken cancellationToken)
    {
        if (requests.Count == 0)
        {
            return [];
        }

        await EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
        return await CallAsync<IReadOnlyList<IReadOnlyList<ScoredChunk>>>("search", async () =>
        {
            var batch = await client.QueryBatchAsync(Name, [.. requests], cancellationToken: cancellationToken).ConfigureAwait(false);
            return [.. batch.Select(result => ToScored(result.Result))];
        }).ConfigureAwait(false);
    }

    /// <summary>Runs one Qdrant operation; caller cancellation passes through, every other failure becomes a 503.</summary>
    internal async Task<T> CallAsync<T>(string operation, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            LogFailed(logger, operation, e.StatusCode.ToString(), e);
            throw new DependencyUnavailableException(
                $"The vector index (Qdrant) failed during {operation} (gRPC status {e.StatusCode}). Check that Qdrant is running and " +
                $"reachable at {QdrantStorageOptions.Section}:Endpoint, and {QdrantStorageOptions.Section}:ApiKey.", e);
        }
        catch (QdrantException e)
        {
            LogFailed(logger, operation, "client", e);
            throw new DependencyUnavailableException(
                $"The vector index (Qdrant) failed during {operation}. Check the Qdrant server's logs and {QdrantStorageOptions.Section}.", e);
        }
        catch (HttpRequestException e)
        {
            LogFailed(logger, operation, "transport", e);
            throw new DependencyUnavailableException(
                $"The vector index (Qdrant) is unreachable during {operation}. Check {QdrantStorageOptions.Section}:Endpoint.", e);
        }
    }

    internal Task CallAsync(string operation, Func<Task> call) =>
        CallAsync<bool>(operation, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });

    private static List<ScoredChunk> ToScored(IEnumerable<ScoredPoint> points)
    {
        var results = new List<ScoredChunk>();
        foreach (var point in points)
        {
            if (point.Payload.TryGetValue(QdrantSchema.ChunkIdField, out var id) && id.KindCase == Value.KindOneofCase.StringValue)
            {
                results.Add(new ScoredChunk(id.StringValue, point.Score));
            }
        }

        return results;
    }

    /// <summary>Validates a caller's query vector before it reaches Qdrant (which would answer with an opaque error).</summary>
    internal void CheckQueryVector(ReadOnlyMemory<float> vector)
    {
        if (vector.Length != Dimensions)
        {
            throw new ArgumentException($"The query vector has {vector.Length} dimensions; the index holds {Dimensions}.", nameof(vector));
        }
    }

    internal static void CheckFilter(AclFilter filter) => ArgumentNullException.ThrowIfNull(filter);

    public void Dispose()
    {
        client.Dispose();
        ensureLock.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created Qdrant collection {Collection} ({Dimensions}-d dense + sparse BM25)")]
    private static partial void LogCreated(ILogger logger, string collection, int dimensions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Qdrant {Operation} failed ({Status})")]
    private static partial void LogFailed(ILogger logger, string operation, string status, Exception exception);
}
