using System.Diagnostics;
using System.Globalization;
using System.Text;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;
using Retrieval.Eval.Datasets;

namespace Retrieval.Eval.Running;

/// <summary>What indexing did: how many documents were new, unchanged (store reused) or failed.</summary>
public sealed record IndexingSummary(int Stored, int Unchanged, IReadOnlyList<string> Failures, long Documents, long Chunks, double Seconds)
{
    /// <summary>True when every document was already in the store with the same content: nothing was re-embedded.</summary>
    public bool Reused => Stored == 0 && Unchanged > 0;
}

/// <summary>
/// Ingests a corpus through the service's own <see cref="DocumentIngestor"/> (parse → chunk → embed → upsert), two
/// documents at a time, as public documents of the evaluation tenant. Ingestion is idempotent, so a second run over the
/// same store only checks hashes.
/// </summary>
public static class CorpusIndexer
{
    public const int Parallelism = 2;

    /// <summary>
    /// Recorded on every document: a change of chunking settings changes the metadata, so the document is re-chunked
    /// (embeddings of unchanged chunk text are still reused) instead of being skipped as unchanged.
    /// </summary>
    public const string ChunkingMetadataKey = "eval.chunking";

    public static async Task<IndexingSummary> IndexAsync(
        EvalServices services, string datasetName, IReadOnlyList<CorpusDocument> corpus, IEvalProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(progress);
        var ingestor = services.Get<DocumentIngestor>();
        var options = services.IngestionOptions;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ChunkingMetadataKey] = string.Create(CultureInfo.InvariantCulture, $"{options.ChunkTokens}+{options.OverlapTokens}"),
        };
        int stored = 0, unchanged = 0;
        var failures = new List<string>();
        var watch = Stopwatch.StartNew();
        var task = progress.Begin($"Indexing {datasetName} ({corpus.Count:N0} documents, {services.ModelId})", corpus.Count);
        await Parallel.ForEachAsync(
            corpus,
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (document, ct) =>
            {
                try
                {
                    var input = new DocumentInput(
                        document.Id,
                        $"{datasetName}/{document.Id}",
                        string.IsNullOrWhiteSpace(document.Title) ? null : document.Title,
                        Encoding.UTF8.GetBytes(ContentOf(document)),
                        "text/plain",
                        [AclEntry.Public],
                        metadata);
                    var result = await ingestor.IngestAsync(EvalServices.Tenant, input, ct);
                    if (result.Unchanged)
                    {
                        Interlocked.Increment(ref unchanged);
                    }
                    else
                    {
                        Interlocked.Increment(ref stored);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    lock (failures)
                    {
                        failures.Add($"{document.Id}: {ex.Message}");
                    }
                }

                task.Increment();
            });
        task.Complete();
        var statistics = await services.Get<IDocumentStore>().GetStatisticsAsync(cancellationToken);
        var summary = new IndexingSummary(stored, unchanged, failures, statistics.Documents, statistics.Chunks, watch.Elapsed.TotalSeconds);
        progress.Note(summary.Reused
            ? $"Store reused: {services.StoreDirectory} already held all {unchanged:N0} documents ({statistics.Chunks:N0} chunks); nothing re-embedded."
            : $"Indexed {stored:N0} new or changed documents ({unchanged:N0} unchanged) in {summary.Seconds:N0} s; store {services.StoreDirectory} has {statistics.Documents:N0} documents, {statistics.Chunks:N0} chunks.");
        if (failures.Count > 0)
        {
            progress.Note($"{failures.Count} documents failed to ingest, e.g. {failures[0]}");
        }

        return summary;
    }

    /// <summary>The text that is indexed: the title as its own paragraph, then the body (once, if the body already starts with it).</summary>
    public static string ContentOf(CorpusDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var title = document.Title.Trim();
        var text = document.Text.Trim();
        if (title.Length == 0 || text.StartsWith(title, StringComparison.OrdinalIgnoreCase))
        {
            return text;
        }

        return text.Length == 0 ? title : title + "\n\n" + text;
    }
}
