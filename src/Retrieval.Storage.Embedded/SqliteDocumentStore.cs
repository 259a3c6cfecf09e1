using System.Text.Json;
using Microsoft.Data.Sqlite;
using Retrieval.Core.Documents;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// Documents and chunks in the embedded SQLite file. An upsert replaces the document row, its chunks, their FTS5 rows
/// and their embeddings in one transaction, so every reader (and the vector index, which follows the chunk table)
/// sees the old version or the new one. Reads for callers apply the ACL filter in SQL.
/// </summary>
/// <remarks>
/// <see cref="ChunkRecord"/> carries no model id, so each stored embedding is tagged with the id the
/// <c>embeddingModelId</c> callback returns (called only when an upsert has embeddings); the text hash is computed
/// here from the chunk text (<see cref="ChunkId.ContentHash"/>). Together they key <see cref="FindEmbeddingsAsync"/>.
/// </remarks>
public sealed class SqliteDocumentStore : IDocumentStore
{
    private const string DocumentColumns =
        "d.id, d.tenant, d.source, d.title, d.content_type, d.content_hash, d.version, d.acl_json, d.metadata_json, " +
        "d.chunk_count, d.token_count, d.created_at, d.updated_at";

    private const int DeletionLogLength = 100_000;

    private readonly EmbeddedDatabase database;
    private readonly Func<string> embeddingModelId;

    /// <param name="database">The shared database.</param>
    /// <param name="embeddingModelId">Id of the model that produced the embeddings being stored (e.g. <c>arctic-xs</c>).</param>
    public SqliteDocumentStore(EmbeddedDatabase database, string embeddingModelId)
        : this(database, () => embeddingModelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(embeddingModelId);
    }

    /// <param name="database">The shared database.</param>
    /// <param name="embeddingModelId">Resolves the embedding model id on first need (lets hosts resolve the model lazily).</param>
    public SqliteDocumentStore(EmbeddedDatabase database, Func<string> embeddingModelId)
    {
        this.database = database ?? throw new ArgumentNullException(nameof(database));
        this.embeddingModelId = embeddingModelId ?? throw new ArgumentNullException(nameof(embeddingModelId));
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => database.InitializeAsync(cancellationToken);

    public async Task<DocumentRecord?> FindAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {DocumentColumns} FROM documents d WHERE d.tenant = $tenant AND d.id = $id;";
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadDocument(reader) : null;
    }

    public async Task<DocumentRecord?> GetReadableAsync(AclFilter filter, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {DocumentColumns} FROM documents d WHERE d.tenant = $tenant AND d.id = $id AND d.acl_set_id IN {AclSets.PermittedSetsSql};";
        AclSets.BindFilter(command, filter);
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadDocument(reader) : null;
    }

    public Task UpsertAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken) =>
        UpsertCoreAsync(document, chunks, null, cancellationToken);

    /// <summary>Also replaces the document's graph rows (mentions, names, relations) in the same transaction.</summary>
    public Task UpsertAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, DocumentGraph graph, CancellationToken cancellationToken) =>
        UpsertCoreAsync(document, chunks, graph ?? throw new ArgumentNullException(nameof(graph)), cancellationToken);

    private async Task UpsertCoreAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, DocumentGraph? graph, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(chunks);
        var acl = AclEntry.NormalizeAll(document.Acl);
        var dimensions = ValidateChunks(document, chunks);
        var model = dimensions > 0 ? embeddingModelId() : null;

        await using var write = await database.BeginWriteAsync(cancellationToken);
        if (dimensions > 0)
        {
            await EnsureSameDimensionsAsync(write, dimensions, cancellationToken);
        }

        var aclSetId = await AclSets.GetOrCreateAsync(write, document.Tenant, acl, cancellationToken);

        var previousEntities = await SqliteGraphWriter.EntitiesOfDocumentAsync(write, document.Tenant, document.Id, cancellationToken);
        var previousHashes = await DeleteChunksAsync(write, document.Tenant, document.Id, cancellationToken);

        await using (var upsert = write.CreateCommand(
            """
            INSERT INTO documents(tenant, id, source, title, content_type, content_hash, version, acl_json, metadata_json,
                                  chunk_count, token_count, created_at, updated_at, acl_set_id)
            VALUES ($tenant, $id, $source, $title, $contentType, $contentHash, $version, $acl, $metadata,
                    $chunkCount, $tokenCount, $createdAt, $updatedAt, $aclSet)
            ON CONFLICT(tenant, id) DO UPDATE SET
                source = excluded.source, title = excluded.title, content_type = excluded.content_type,
                content_hash = excluded.content_hash, version = excluded.version, acl_json = excluded.acl_json,
                metadata_json = excluded.metadata_json, chunk_count = excluded.chunk_count, token_count = excluded.token_count,
                created_at = excluded.created_at, updated_at = excluded.updated_at, acl_set_id = excluded.acl_set_id;
            """))
        {
            upsert.Parameters.AddWithValue("$tenant", document.Tenant);
            upsert.Parameters.AddWithValue("$id", document.Id);
            upsert.Parameters.AddWithValue("$source", document.Source);
            upsert.Parameters.AddWithValue("$title", document.Title);
            upsert.Parameters.AddWithValue("$contentType", document.ContentType);
            upsert.Parameters.AddWithValue("$contentHash", document.ContentHash);
            upsert.Parameters.AddWithValue("$version", document.Version);
            upsert.Parameters.AddWithValue("$acl", SqliteValues.ListToJson(acl));
            upsert.Parameters.AddWithValue("$metadata", SqliteValues.MapToJson(document.Metadata));
            upsert.Parameters.AddWithValue("$chunkCount", document.ChunkCount);
            upsert.Parameters.AddWithValue("$tokenCount", document.TokenCount);
            upsert.Parameters.AddWithValue("$createdAt", SqliteValues.ToTicks(document.CreatedAt));
            upsert.Parameters.AddWithValue("$updatedAt", SqliteValues.ToTicks(document.UpdatedAt));
            upsert.Parameters.AddWithValue("$aclSet", aclSetId);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        var seqByChunkId = new Dictionary<string, long>(chunks.Count, StringComparer.Ordinal);
        await using (var insert = write.CreateCommand(
            """
            INSERT INTO chunks(id, tenant, document_id, ordinal, text, start_offset, end_offset, section_path, token_count,
                               text_hash, model, embedding, acl_set_id)
            VALUES ($id, $tenant, $documentId, $ordinal, $text, $start, $end, $section, $tokens, $textHash, $model, $embedding, $aclSet)
            RETURNING seq;
            """))
        {
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            insert.Parameters.AddWithValue("$tenant", document.Tenant);
            insert.Parameters.AddWithValue("$documentId", document.Id);
            var ordinal = insert.Parameters.Add("$ordinal", SqliteType.Integer);
            var text = insert.Parameters.Add("$text", SqliteType.Text);
            var start = insert.Parameters.Add("$start", SqliteType.Integer);
            var end = insert.Parameters.Add("$end", SqliteType.Integer);
            var section = insert.Parameters.Add("$section", SqliteType.Text);
            var tokens = insert.Parameters.Add("$tokens", SqliteType.Integer);
            var textHash = insert.Parameters.Add("$textHash", SqliteType.Text);
            var modelParameter = insert.Parameters.Add("$model", SqliteType.Text);
            var embedding = insert.Parameters.Add("$embedding", SqliteType.Blob);
            insert.Parameters.AddWithValue("$aclSet", aclSetId);
            foreach (var chunk in chunks)
            {
                id.Value = chunk.Id;
                ordinal.Value = chunk.Ordinal;
                text.Value = chunk.Text;
                start.Value = chunk.StartOffset;
                end.Value = chunk.EndOffset;
                section.Value = chunk.SectionPath;
                tokens.Value = chunk.TokenCount;
                textHash.Value = ChunkId.ContentHash(chunk.Text);
                var hasEmbedding = !chunk.Embedding.IsEmpty;
                modelParameter.Value = hasEmbedding ? model : DBNull.Value;
                embedding.Value = hasEmbedding ? EmbeddingBlob.ToBytes(chunk.Embedding.Span) : DBNull.Value;
                seqByChunkId[chunk.Id] = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
            }
        }

        if (graph is not null)
        {
            await SqliteGraphWriter.InsertAsync(write, document.Tenant, document.Id, aclSetId, seqByChunkId, graph, cancellationToken);
        }

        await SqliteGraphWriter.DeleteOrphansAsync(write, previousEntities, cancellationToken);

        // After the new chunks are in: text the new version still holds keeps its cached extraction.
        await SqliteGraphExtractionCache.DeleteUnheldAsync(write, document.Tenant, previousHashes, cancellationToken);
        await write.CommitAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken);
        var previousEntities = await SqliteGraphWriter.EntitiesOfDocumentAsync(write, tenant, id, cancellationToken);
        var previousHashes = await DeleteChunksAsync(write, tenant, id, cancellationToken);
        await SqliteGraphWriter.DeleteOrphansAsync(write, previousEntities, cancellationToken);
        await SqliteGraphExtractionCache.DeleteUnheldAsync(write, tenant, previousHashes, cancellationToken);

        int deleted;
        await using (var deleteDocument = write.CreateCommand("DELETE FROM documents WHERE tenant = $tenant AND id = $id;"))
        {
            deleteDocument.Parameters.AddWithValue("$tenant", tenant);
            deleteDocument.Parameters.AddWithValue("$id", id);
            deleted = await deleteDocument.ExecuteNonQueryAsync(cancellationToken);
        }

        await write.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    public async Task<IReadOnlyList<StoredChunk>> GetChunksAsync(AclFilter filter, IReadOnlyCollection<string> chunkIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(chunkIds);
        if (chunkIds.Count == 0)
        {
            return [];
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"""
            SELECT c.id, c.document_id, c.ordinal, c.text, c.start_offset, c.end_offset, c.section_path, c.token_count,
                   c.embedding, d.title, d.source
            FROM json_each($ids) AS wanted
            CROSS JOIN chunks c ON c.id = wanted.value
            JOIN documents d ON d.tenant = c.tenant AND d.id = c.document_id
            WHERE c.tenant = $tenant AND c.acl_set_id IN {AclSets.PermittedSetsSql};
            """;
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(chunkIds));
        AclSets.BindFilter(command, filter);

        // CROSS JOIN fixes the join order: look each wanted id up by its unique index. Left to itself the planner
        // picked the (tenant, document_id) index and scanned every chunk of the tenant (100+ ms at 55k chunks).
        var found = new Dictionary<string, StoredChunk>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var embedding = reader.IsDBNull(8) ? [] : EmbeddingBlob.FromBytes(reader.GetFieldValue<byte[]>(8));
                var chunk = new ChunkRecord(
                    reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetInt32(4),
                    reader.GetInt32(5), reader.GetString(6), reader.GetInt32(7), embedding);
                found[chunk.Id] = new StoredChunk(chunk, reader.GetString(9), reader.GetString(10));
            }
        }

        // In the caller's order (typically rank order), each id once.
        var result = new List<StoredChunk>(found.Count);
        foreach (var id in chunkIds)
        {
            if (found.Remove(id, out var chunk))
            {
                result.Add(chunk);
            }
        }

        return result;
    }

    public async Task<StoreStatistics> GetStatisticsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM documents), (SELECT COUNT(*) FROM chunks);";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new StoreStatistics(reader.GetInt64(0), reader.GetInt64(1));
    }

    public async Task<IReadOnlyList<string>> GetEmbeddingModelsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT model FROM chunks WHERE model IS NOT NULL ORDER BY model;";
        var models = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            models.Add(reader.GetString(0));
        }

        return models;
    }

    public async Task<IReadOnlyDictionary<string, float[]>> FindEmbeddingsAsync(string model, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(textHashes);
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (textHashes.Count == 0)
        {
            return result;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT text_hash, embedding FROM chunks
            WHERE model = $model AND text_hash IN (SELECT value FROM json_each($hashes)) AND embedding IS NOT NULL;
            """;
        command.Parameters.AddWithValue("$model", model);
        command.Parameters.AddWithValue("$hashes", JsonSerializer.Serialize(textHashes));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var hash = reader.GetString(0);
            if (!result.ContainsKey(hash))
            {
                result[hash] = EmbeddingBlob.FromBytes(reader.GetFieldValue<byte[]>(1));
            }
        }

        return result;
    }

    private static int ValidateChunks(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks)
    {
        var dimensions = 0;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in chunks)
        {
            if (!string.Equals(chunk.DocumentId, document.Id, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Chunk '{chunk.Id}' belongs to document '{chunk.DocumentId}', not '{document.Id}'.", nameof(chunks));
            }

            if (!ids.Add(chunk.Id))
            {
                throw new ArgumentException($"Chunk id '{chunk.Id}' appears twice.", nameof(chunks));
            }

            if (chunk.Embedding.IsEmpty)
            {
                continue;
            }

            if (dimensions != 0 && chunk.Embedding.Length != dimensions)
            {
                throw new ArgumentException($"Chunk embeddings of one document must have the same dimensions ({dimensions} vs {chunk.Embedding.Length}).", nameof(chunks));
            }

            dimensions = chunk.Embedding.Length;
        }

        return dimensions;
    }

    /// <summary>The vector index holds one dimensionality; a different one means another model, which needs a re-index.</summary>
    /// <summary>
    /// Deletes chunks of a document (the triggers remove their FTS rows and log the deletions for vector indexes),
    /// keeping only the newest <see cref="DeletionLogLength"/> log entries; an index further behind reloads fully.
    /// Returns the distinct text hashes of the deleted chunks.
    /// </summary>
    private static async Task<IReadOnlyList<string>> DeleteChunksAsync(WriteTransaction write, string tenant, string documentId, CancellationToken cancellationToken)
    {
        var hashes = new List<string>();
        await using (var select = write.CreateCommand("SELECT DISTINCT text_hash FROM chunks WHERE tenant = $tenant AND document_id = $id;"))
        {
            select.Parameters.AddWithValue("$tenant", tenant);
            select.Parameters.AddWithValue("$id", documentId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                hashes.Add(reader.GetString(0));
            }
        }

        await SqliteGraphWriter.DeleteDocumentAsync(write, tenant, documentId, cancellationToken);
        await using var command = write.CreateCommand(
            """
            DELETE FROM chunks WHERE tenant = $tenant AND document_id = $id;
            DELETE FROM chunk_deletions WHERE id <= (SELECT MAX(id) FROM chunk_deletions) - $keep;
            """);
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$id", documentId);
        command.Parameters.AddWithValue("$keep", DeletionLogLength);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return hashes;
    }

    private static async Task EnsureSameDimensionsAsync(WriteTransaction write, int dimensions, CancellationToken cancellationToken)
    {
        await using var command = write.CreateCommand("SELECT length(embedding) FROM chunks WHERE embedding IS NOT NULL LIMIT 1;");
        if (await command.ExecuteScalarAsync(cancellationToken) is long bytes && bytes != dimensions * sizeof(float))
        {
            throw new InvalidOperationException(
                $"The store holds {bytes / sizeof(float)}-dimensional embeddings; cannot add {dimensions}-dimensional ones. " +
                "Re-index into a new data directory after changing the embedding model.");
        }
    }

    private static DocumentRecord ReadDocument(SqliteDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetInt32(6),
        SqliteValues.ListFromJson(reader.GetString(7)),
        SqliteValues.MapFromJson(reader.GetString(8)),
        reader.GetInt32(9),
        reader.GetInt64(10),
        SqliteValues.FromTicks(reader.GetInt64(11)),
        SqliteValues.FromTicks(reader.GetInt64(12)));
}
