using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Diagnostics;
using Retrieval.Core.Documents;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Graph;
using Retrieval.Core.Ingestion.Chunking;
using Retrieval.Core.Ingestion.Parsing;
using Retrieval.Core.Options;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Core.Ingestion;

/// <summary>One document to ingest: its bytes and how to store them.</summary>
public sealed record DocumentInput(
    string Id,
    string Source,
    string? Title,
    ReadOnlyMemory<byte> Content,
    string? ContentType,
    IReadOnlyList<string> Acl,
    IReadOnlyDictionary<string, string> Metadata);

public sealed record IngestResult(string DocumentId, int Version, int Chunks, long Tokens, bool Unchanged);

/// <summary>
/// parse → normalize → chunk → embed → extract graph → upsert, for one document. Idempotent: the same content, title, ACL and
/// metadata (and a graph from the current extractor) is a no-op; changed text re-embeds only the chunks whose text is new
/// (embeddings are reused by text hash and model); the store swaps old for new atomically, graph included.
/// </summary>
public sealed partial class DocumentIngestor
{
    public const int MaxIdLength = 512;
    public const int MaxTitleLength = 1_000;
    public const int MaxMetadataEntries = 64;
    public const int MaxMetadataValueLength = 4_096;

    private static readonly TimeSpan DiscardTimeout = TimeSpan.FromSeconds(30);

    private static readonly EmbeddingGenerationOptions DocumentOptions = new()
    {
        AdditionalProperties = new() { [EmbeddingInputType.Key] = EmbeddingInputType.Document },
    };

    private readonly DocumentParsers _parsers;
    private readonly ITextTokenizer _tokenizer;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _embeddings;
    private readonly IEmbeddingModelInfo _model;
    private readonly IDocumentStore _store;
    private readonly IGraphStore _graph;
    private readonly GraphExtractionEstimator _extractors;
    private readonly IOptionsMonitor<IngestionOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DocumentIngestor> _logger;

    public DocumentIngestor(
        DocumentParsers parsers,
        ITextTokenizer tokenizer,
        IEmbeddingGenerator<string, Embedding<float>> embeddings,
        IEmbeddingModelInfo model,
        IDocumentStore store,
        IGraphStore graph,
        GraphExtractionEstimator extractors,
        IOptionsMonitor<IngestionOptions> options,
        TimeProvider time,
        ILogger<DocumentIngestor> logger)
    {
        _graph = graph;
        _extractors = extractors;
        _parsers = parsers;
        _tokenizer = tokenizer;
        _embeddings = embeddings;
        _model = model;
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public async Task<IngestResult> IngestAsync(string tenant, DocumentInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.ingest.document");
        var options = _options.CurrentValue;
        ValidateId(input.Id);
        var acl = AclEntry.NormalizeAll(input.Acl);
        var metadata = ValidateMetadata(input.Metadata);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.DocumentTimeout);
        try
        {
            return await IngestCoreAsync(tenant, input, acl, metadata, options, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DocumentParseException($"'{input.Source}' took longer than {options.DocumentTimeout} to ingest (Retrieval:Ingestion:DocumentTimeout).");
        }
    }

    private async Task<IngestResult> IngestCoreAsync(
        string tenant, DocumentInput input, IReadOnlyList<string> acl, IReadOnlyDictionary<string, string> metadata,
        IngestionOptions options, CancellationToken cancellationToken)
    {
        var parsed = await ParseAsync(input, options.ParseTimeout, cancellationToken).ConfigureAwait(false);
        var title = Truncate(string.IsNullOrWhiteSpace(input.Title) ? parsed.Title ?? Path.GetFileName(input.Source) : input.Title.Trim(), MaxTitleLength);
        var contentType = input.ContentType ?? Path.GetExtension(input.Source).ToLowerInvariant();
        var hash = ChunkId.ContentHash(parsed.Text);

        var extractor = _extractors.ActiveExtractor();
        var extractGraph = extractor is not null;
        var existing = await _store.FindAsync(tenant, input.Id, cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.ContentHash == hash && existing.Title == title
            && existing.Acl.SequenceEqual(acl, StringComparer.Ordinal) && SameMetadata(existing.Metadata, metadata)
            && (!extractGraph || await _graph.GetExtractorAsync(tenant, input.Id, cancellationToken).ConfigureAwait(false) == extractor!.Name)
            && (_store is not ProjectingDocumentStore projecting || await projecting.ProjectionsCurrentAsync(existing, cancellationToken).ConfigureAwait(false)))
        {
            LogUnchanged(_logger, input.Id);
            RetrievalTelemetry.DocumentsIngested.Add(1, new KeyValuePair<string, object?>("outcome", "unchanged"));
            return new IngestResult(existing.Id, existing.Version, existing.ChunkCount, existing.TokenCount, true);
        }

        var version = (existing?.Version ?? 0) + 1;
        var textChunks = TextChunker.Chunk(parsed, _tokenizer, options.ChunkTokens, options.OverlapTokens, cancellationToken);
        var vectors = await EmbedAsync(textChunks, options.EmbeddingBatchSize, cancellationToken).ConfigureAwait(false);
        var chunks = textChunks
            .Select((c, i) => new ChunkRecord(
                ChunkId.For(tenant, input.Id, version, c.Ordinal), input.Id, c.Ordinal, c.Text, c.StartOffset, c.EndOffset,
                c.SectionPath, c.TokenCount, vectors[i]))
            .ToList();
        var tokens = chunks.Sum(c => (long)c.TokenCount);
        var now = _time.GetUtcNow();
        var document = new DocumentRecord(
            input.Id, tenant, input.Source, title, contentType, hash, version, acl, metadata, chunks.Count, tokens,
            existing?.CreatedAt ?? now, now);
        if (extractor is not null)
        {
            try
            {
                var graph = await ExtractGraphAsync(extractor, tenant, chunks, cancellationToken).ConfigureAwait(false);
                await _store.UpsertAsync(document, chunks, graph, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The text was never stored: what extraction cached about it goes now. A timeout or cancellation keeps it,
                // so the next try resumes where this one stopped; the cache sweep deletes it after its grace period.
                await DiscardExtractionAsync(extractor, tenant, input.Id, chunks).ConfigureAwait(false);
                throw;
            }
        }
        else
        {
            await _store.UpsertAsync(document, chunks, cancellationToken).ConfigureAwait(false);
        }

        RetrievalTelemetry.DocumentsIngested.Add(1, new KeyValuePair<string, object?>("outcome", "stored"));
        RetrievalTelemetry.ChunksIngested.Add(chunks.Count);
        LogStored(_logger, input.Id, version, chunks.Count, tokens);
        return new IngestResult(input.Id, version, chunks.Count, tokens, false);
    }

    /// <summary>
    /// Parses on a pool thread and stops waiting after <paramref name="parseTimeout"/>. Our parsers observe the token
    /// between pages/elements, but a library call can spin inside itself; the worker must not hang with it, so such a
    /// parse is abandoned (its thread finishes or faults on its own, the result is dropped) and the document fails.
    /// </summary>
    private async Task<ParsedDocument> ParseAsync(DocumentInput input, TimeSpan parseTimeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(parseTimeout);
        var parse = Task.Run(() => _parsers.Parse(input.Content, input.Source, input.ContentType, limit.Token), CancellationToken.None);
        try
        {
            return await parse.WaitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!parse.IsCompleted || !cancellationToken.IsCancellationRequested)
        {
            if (!parse.IsCompleted)
            {
                // Observe whatever the abandoned parse ends with, so it is not reported as an unobserved task exception.
                _ = parse.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                if (!cancellationToken.IsCancellationRequested)
                {
                    LogParseAbandoned(_logger, input.Id, parseTimeout);
                    RetrievalTelemetry.ParsesAbandoned.Add(1);
                }
            }

            if (cancellationToken.IsCancellationRequested)
            {
                throw; // the document timeout or the job's cancellation, reported by the caller
            }

            throw new DocumentParseException(
                $"'{input.Source}' took longer than {parseTimeout} to parse (Retrieval:Ingestion:ParseTimeout).");
        }
    }

    private static async Task<DocumentGraph> ExtractGraphAsync(
        IGraphExtractor extractor, string tenant, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken)
    {
        using var activity = RetrievalTelemetry.ActivitySource.StartActivity("retrieval.ingest.graph");
        activity?.SetTag("retrieval.graph.extractor", extractor.Mode);
        var watch = Stopwatch.StartNew();
        var graph = await extractor.ExtractAsync(tenant, chunks, cancellationToken).ConfigureAwait(false);
        GraphTelemetry.ExtractionDuration.Record(watch.Elapsed.TotalMilliseconds);
        GraphTelemetry.MentionsExtracted.Add(graph.Chunks.Sum(c => (long)c.Mentions.Count));
        activity?.SetTag("retrieval.graph.chunks", graph.Chunks.Count);
        return graph;
    }

    private async Task DiscardExtractionAsync(IGraphExtractor extractor, string tenant, string documentId, IReadOnlyList<ChunkRecord> chunks)
    {
        // Bounded, and never hides the ingest's own error: rows it could not delete are left to the cache sweep.
        using var limit = new CancellationTokenSource(DiscardTimeout);
        try
        {
            await extractor.DiscardAsync(tenant, chunks, limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogDiscardFailed(_logger, documentId, ex);
        }
    }

    /// <summary>Embeds chunk texts, reusing stored embeddings of identical text from the same model.</summary>
    private async Task<ReadOnlyMemory<float>[]> EmbedAsync(IReadOnlyList<TextChunk> chunks, int batchSize, CancellationToken cancellationToken)
    {
        var result = new ReadOnlyMemory<float>[chunks.Count];
        var hashes = chunks.Select(c => ChunkId.ContentHash(c.Text)).ToList();
        var cached = await _store.FindEmbeddingsAsync(_model.ModelId, hashes.Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
        var missing = new List<int>();
        for (var i = 0; i < chunks.Count; i++)
        {
            if (cached.TryGetValue(hashes[i], out var vector))
            {
                result[i] = vector;
            }
            else
            {
                missing.Add(i);
            }
        }

        foreach (var batch in missing.Chunk(batchSize))
        {
            var watch = Stopwatch.StartNew();
            var embeddings = await _embeddings.GenerateAsync(batch.Select(i => chunks[i].Text), DocumentOptions, cancellationToken).ConfigureAwait(false);
            RetrievalTelemetry.EmbeddingDuration.Record(watch.Elapsed.TotalMilliseconds);
            RetrievalTelemetry.TokensEmbedded.Add(batch.Sum(i => (long)chunks[i].TokenCount));
            for (var j = 0; j < batch.Length; j++)
            {
                result[batch[j]] = embeddings[j].Vector;
            }
        }

        return result;
    }

    public static void ValidateId(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ValidationException("A document id is required.");
        }

        if (id.Length > MaxIdLength)
        {
            throw new ValidationException($"A document id may be at most {MaxIdLength} characters.");
        }

        if (id.Any(char.IsControl))
        {
            throw new ValidationException("A document id must not contain control characters.");
        }
    }

    private static SortedDictionary<string, string> ValidateMetadata(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null || metadata.Count == 0)
        {
            return new SortedDictionary<string, string>(StringComparer.Ordinal);
        }

        if (metadata.Count > MaxMetadataEntries)
        {
            throw new ValidationException($"At most {MaxMetadataEntries} metadata entries are allowed.");
        }

        foreach (var (key, value) in metadata)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length > 128 || (value?.Length ?? 0) > MaxMetadataValueLength)
            {
                throw new ValidationException($"Metadata keys must be 1–128 characters and values at most {MaxMetadataValueLength}.");
            }
        }

        return new SortedDictionary<string, string>(metadata.ToDictionary(p => p.Key, p => p.Value ?? string.Empty), StringComparer.Ordinal);
    }

    private static bool SameMetadata(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Parsing document {DocumentId} ran past {ParseTimeout} without stopping; abandoned its thread")]
    private static partial void LogParseAbandoned(ILogger logger, string documentId, TimeSpan parseTimeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocumentId} failed after graph extraction and its cached extraction could not be deleted; the cache sweep will")]
    private static partial void LogDiscardFailed(ILogger logger, string documentId, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Document {DocumentId} unchanged; nothing to do")]
    private static partial void LogUnchanged(ILogger logger, string documentId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored document {DocumentId} v{Version}: {Chunks} chunks, {Tokens} tokens")]
    private static partial void LogStored(ILogger logger, string documentId, int version, int chunks, long tokens);
}
