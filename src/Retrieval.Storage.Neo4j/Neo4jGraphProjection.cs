using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retrieval.Core.Documents;
using Retrieval.Core.Graph;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Neo4j;

/// <summary>
/// Keeps Neo4j's graph in step with the document store (the source of truth), after each of its commits. A projection is
/// a sequence of idempotent auto-commit statements (explicit Query API transactions are not available on self-managed
/// clusters): mark the document not current, clear the graph of its old chunks (and drop those chunks), write the new
/// chunks with their tenant and ACL, mentions, names and relations in batched <c>UNWIND … MERGE</c> statements, delete
/// entities and names nothing supports any more, and finally mark exactly this version current. A crash part-way leaves
/// the document not current, so the next ingest runs the projection again; meanwhile readers may miss some of the
/// document's graph but, through <see cref="SupportVerifier"/>, never see a version the store no longer serves.
/// </summary>
public sealed partial class Neo4jGraphProjection : IIndexProjection
{
    private readonly Neo4jQueryClient _client;
    private readonly Neo4jOptions _options;
    private readonly ILogger<Neo4jGraphProjection> _logger;

    public Neo4jGraphProjection(Neo4jQueryClient client, IOptions<Neo4jOptions> options, ILogger<Neo4jGraphProjection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options.Value;
        _logger = logger;
    }

    public string Name => "neo4j";

    public async Task<bool> IsCurrentAsync(DocumentRecord document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        var state = await ReadStateAsync(_client, document.Tenant, document.Id, cancellationToken).ConfigureAwait(false);
        return state is { Projected: true }
            && state.Version == document.Version
            && string.Equals(state.ContentHash, document.ContentHash, StringComparison.Ordinal);
    }

    public async Task ProjectAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, DocumentGraph? graph, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(chunks);
        var uid = Cypher.DocumentUid(document.Tenant, document.Id);
        var chunkIds = chunks.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        if (graph is not null)
        {
            foreach (var chunk in graph.Chunks.Where(c => !chunkIds.Contains(c.ChunkId)))
            {
                throw new ArgumentException($"The graph names chunk '{chunk.ChunkId}', which is not a chunk of document '{document.Id}'.", nameof(graph));
            }
        }

        await RunAsync(Cypher.BeginDocument, new() { ["uid"] = uid, ["tenant"] = document.Tenant, ["id"] = document.Id }, cancellationToken).ConfigureAwait(false);
        var touched = await ClearAsync(uid, chunkIds, cancellationToken).ConfigureAwait(false);

        foreach (var batch in chunks.Chunk(_options.BatchSize))
        {
            await RunAsync(Cypher.UpsertChunks, new()
            {
                ["uid"] = uid,
                ["tenant"] = document.Tenant,
                ["document"] = document.Id,
                ["version"] = document.Version,
                ["acl"] = document.Acl.ToArray(),
                ["rows"] = batch.Select(c => new Dictionary<string, object?>
                {
                    ["id"] = c.Id,
                    ["ordinal"] = c.Ordinal,
                    ["hash"] = ChunkId.ContentHash(c.Text),
                }).ToArray(),
            }, cancellationToken).ConfigureAwait(false);
        }

        if (graph is not null)
        {
            var (mentions, relations) = Rows(document.Tenant, graph);
            foreach (var batch in mentions.Chunk(_options.BatchSize))
            {
                await RunAsync(Cypher.UpsertMentions, new() { ["tenant"] = document.Tenant, ["rows"] = batch }, cancellationToken).ConfigureAwait(false);
            }

            foreach (var batch in relations.Chunk(_options.BatchSize))
            {
                await RunAsync(Cypher.UpsertRelations, new() { ["rows"] = batch }, cancellationToken).ConfigureAwait(false);
            }
        }

        await DeleteOrphansAsync(touched, cancellationToken).ConfigureAwait(false);
        await RunAsync(Cypher.CompleteDocument, new()
        {
            ["uid"] = uid,
            ["version"] = document.Version,
            ["contentHash"] = document.ContentHash,
            ["extractor"] = graph?.Extractor,
        }, cancellationToken).ConfigureAwait(false);
        LogProjected(_logger, document.Id, document.Version, chunks.Count);
    }

    public async Task RemoveAsync(string tenant, string documentId, CancellationToken cancellationToken)
    {
        var uid = Cypher.DocumentUid(tenant, documentId);
        await RunAsync(Cypher.BeginRemoval, new() { ["uid"] = uid }, cancellationToken).ConfigureAwait(false);
        var touched = await ClearAsync(uid, [], cancellationToken).ConfigureAwait(false);
        await DeleteOrphansAsync(touched, cancellationToken).ConfigureAwait(false);
        await RunAsync(Cypher.DeleteDocument, new() { ["uid"] = uid }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The projection state of a document, or null when Neo4j holds nothing for it.</summary>
    internal static async Task<DocumentState?> ReadStateAsync(Neo4jQueryClient client, string tenant, string documentId, CancellationToken cancellationToken)
    {
        var result = await client.RunAsync(
            new CypherQuery(Cypher.DocumentState, new Dictionary<string, object?> { ["uid"] = Cypher.DocumentUid(tenant, documentId) }),
            cancellationToken).ConfigureAwait(false);
        if (result.Rows.Count == 0)
        {
            return null;
        }

        var row = result.Rows[0];
        var projected = row[result.Field("projected")];
        var version = row[result.Field("version")];
        var hash = row[result.Field("contentHash")];
        var extractor = row[result.Field("extractor")];
        return new DocumentState(
            projected.ValueKind == JsonValueKind.True,
            version.ValueKind == JsonValueKind.Number ? version.GetInt64() : null,
            hash.ValueKind == JsonValueKind.String ? hash.GetString() : null,
            extractor.ValueKind == JsonValueKind.String ? extractor.GetString() : null);
    }

    /// <summary>Mention rows (entity, names and their uids) and relation rows (once per chunk and pair, source id &lt; target id).</summary>
    internal static (List<Dictionary<string, object?>> Mentions, List<Dictionary<string, object?>> Relations) Rows(string tenant, DocumentGraph graph)
    {
        var mentions = new List<Dictionary<string, object?>>();
        var relations = new List<Dictionary<string, object?>>();
        foreach (var chunk in graph.Chunks)
        {
            foreach (var m in chunk.Mentions)
            {
                var names = m.Aliases.Prepend(m.Key).Distinct(StringComparer.Ordinal).ToArray();
                mentions.Add(new()
                {
                    ["chunk"] = chunk.ChunkId,
                    ["entity"] = Cypher.EntityId(tenant, m.Key),
                    ["key"] = m.Key,
                    ["name"] = m.Name,
                    ["type"] = m.Type,
                    ["count"] = m.Count,
                    ["names"] = names,
                    ["nameUids"] = names.Select(n => Cypher.NameUid(tenant, n)).ToArray(),
                });
            }

            // A relation is supported by a chunk only between entities that chunk mentions (as in the embedded store).
            var mentioned = chunk.Mentions.Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
            var seen = new HashSet<(string, string)>();
            foreach (var r in chunk.Relations)
            {
                if (!mentioned.Contains(r.SourceKey) || !mentioned.Contains(r.TargetKey))
                {
                    continue;
                }

                var a = Cypher.EntityId(tenant, r.SourceKey);
                var b = Cypher.EntityId(tenant, r.TargetKey);
                if (a == b)
                {
                    continue;
                }

                var (source, target) = string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
                if (seen.Add((source, target)))
                {
                    relations.Add(new() { ["chunk"] = chunk.ChunkId, ["source"] = source, ["target"] = target, ["weight"] = r.Weight });
                }
            }
        }

        return (mentions, relations);
    }

    private async Task<List<string>> ClearAsync(string uid, IReadOnlyCollection<string> keep, CancellationToken cancellationToken)
    {
        var result = await RunAsync(Cypher.ClearDocument, new() { ["uid"] = uid, ["keep"] = keep.ToArray() }, cancellationToken).ConfigureAwait(false);
        var column = result.Field("entity");
        return [.. result.Rows.Select(r => r[column].GetString()).OfType<string>()];
    }

    private async Task DeleteOrphansAsync(List<string> entities, CancellationToken cancellationToken)
    {
        foreach (var batch in entities.Chunk(_options.BatchSize))
        {
            var result = await RunAsync(Cypher.DeleteOrphanEntities, new() { ["ids"] = batch }, cancellationToken).ConfigureAwait(false);
            var column = result.Field("name");
            var names = result.Rows.Select(r => r[column].GetString()).OfType<string>().ToArray();
            if (names.Length > 0)
            {
                await RunAsync(Cypher.DeleteOrphanNames, new() { ["uids"] = names }, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task<Neo4jResult> RunAsync(string statement, Dictionary<string, object?> parameters, CancellationToken cancellationToken) =>
        _client.RunAsync(new CypherQuery(statement, parameters), cancellationToken);

    [LoggerMessage(EventId = 4210, Level = LogLevel.Debug, Message = "Projected document {DocumentId} v{Version} ({Chunks} chunks) into Neo4j")]
    private static partial void LogProjected(ILogger logger, string documentId, int version, int chunks);
}

/// <summary>What Neo4j holds for a document: <see cref="Projected"/> is written last, so false means a projection did not finish.</summary>
internal sealed record DocumentState(bool Projected, long? Version, string? ContentHash, string? Extractor);
