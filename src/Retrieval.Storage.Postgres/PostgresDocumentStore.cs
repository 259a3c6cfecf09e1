using Npgsql;
using NpgsqlTypes;
using Retrieval.Core.Documents;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Postgres;

/// <summary>
/// Documents and chunks in PostgreSQL. An upsert replaces the document row, its chunks (text, offsets, embedding as
/// <c>real[]</c>, full-text vector) in one transaction, so every reader sees the old version or the new one; deleted
/// chunks are logged for the vector indexes of every process. Reads for callers apply the ACL filter in SQL.
/// </summary>
/// <remarks>
/// As in the embedded store, each stored embedding is tagged with the id the <c>embeddingModelId</c> callback returns
/// (called only when an upsert has embeddings), and the text hash is computed from the chunk text; together they key
/// <see cref="FindEmbeddingsAsync"/>.
/// </remarks>
public sealed class PostgresDocumentStore : IDocumentStore
{
    private const string DocumentColumns =
        "d.id, d.tenant, d.source, d.title, d.content_type, d.content_hash, d.version, d.acl, d.metadata::text, " +
        "d.chunk_count, d.token_count, d.created_at, d.updated_at";

    private const int DeletionLogLength = 100_000;

    private readonly PostgresDatabase database;
    private readonly Func<string> embeddingModelId;

    public PostgresDocumentStore(PostgresDatabase database, string embeddingModelId)
        : this(database, () => embeddingModelId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(embeddingModelId);
    }

    /// <param name="database">The shared database.</param>
    /// <param name="embeddingModelId">Resolves the embedding model id on first need (lets hosts resolve the model lazily).</param>
    public PostgresDocumentStore(PostgresDatabase database, Func<string> embeddingModelId)
    {
        this.database = database ?? throw new ArgumentNullException(nameof(database));
        this.embeddingModelId = embeddingModelId ?? throw new ArgumentNullException(nameof(embeddingModelId));
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => database.InitializeAsync(cancellationToken);

    public async Task<DocumentRecord?> FindAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {DocumentColumns} FROM documents d WHERE d.tenant = @tenant AND d.id = @id;", connection);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadDocument(reader) : null;
    }

    public async Task<DocumentRecord?> GetReadableAsync(AclFilter filter, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT {DocumentColumns} FROM documents d WHERE d.tenant = @tenant AND d.id = @id AND d.acl_set_id IN {PostgresAclSets.PermittedSetsSql};",
            connection);
        PostgresAclSets.BindFilter(command, filter);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadDocument(reader) : null;
    }

    public async Task UpsertAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(chunks);
        var acl = AclEntry.NormalizeAll(document.Acl);
        var dimensions = ValidateChunks(document, chunks);
        var model = dimensions > 0 ? embeddingModelId() : null;

        await using var write = await database.BeginStoreWriteAsync(cancellationToken);
        if (dimensions > 0)
        {
            await EnsureSameDimensionsAsync(write, dimensions, cancellationToken);
        }

        var aclSetId = await PostgresAclSets.GetOrCreateAsync(write, document.Tenant, acl, cancellationToken);
        var previousHashes = await DeleteChunksAsync(write, document.Tenant, document.Id, cancellationToken);

        await using var batch = new NpgsqlBatch(write.Connection, write.Transaction);
        var upsert = new NpgsqlBatchCommand(
            """
            INSERT INTO documents(tenant, id, source, title, content_type, content_hash, version, acl, metadata,
                                  chunk_count, token_count, created_at, updated_at, acl_set_id)
            VALUES (@tenant, @id, @source, @title, @contentType, @contentHash, @version, @acl, @metadata,
                    @chunkCount, @tokenCount, @createdAt, @updatedAt, @aclSet)
            ON CONFLICT (tenant, id) DO UPDATE SET
                source = excluded.source, title = excluded.title, content_type = excluded.content_type,
                content_hash = excluded.content_hash, version = excluded.version, acl = excluded.acl,
                metadata = excluded.metadata, chunk_count = excluded.chunk_count, token_count = excluded.token_count,
                created_at = excluded.created_at, updated_at = excluded.updated_at, acl_set_id = excluded.acl_set_id;
            """);
        upsert.Parameters.AddWithValue("tenant", document.Tenant);
        upsert.Parameters.AddWithValue("id", document.Id);
        upsert.Parameters.AddWithValue("source", document.Source);
        upsert.Parameters.AddWithValue("title", document.Title);
        upsert.Parameters.AddWithValue("contentType", document.ContentType);
        upsert.Parameters.AddWithValue("contentHash", document.ContentHash);
        upsert.Parameters.AddWithValue("version", document.Version);
        upsert.Parameters.Add(PostgresValues.TextArray("acl", acl));
        upsert.Parameters.Add(PostgresValues.Jsonb("metadata", document.Metadata));
        upsert.Parameters.AddWithValue("chunkCount", document.ChunkCount);
        upsert.Parameters.AddWithValue("tokenCount", document.TokenCount);
        upsert.Parameters.AddWithValue("createdAt", PostgresValues.Utc(document.CreatedAt));
        upsert.Parameters.AddWithValue("updatedAt", PostgresValues.Utc(document.UpdatedAt));
        upsert.Parameters.AddWithValue("aclSet", aclSetId);
        batch.BatchCommands.Add(upsert);

        // One statement per chunk, sent in one round trip; identity values follow the statement order (= ordinal order).
        foreach (var chunk in chunks)
        {
            var insert = new NpgsqlBatchCommand(
                """
                INSERT INTO chunks(id, tenant, document_id, ordinal, text, start_offset, end_offset, section_path, token_count,
                                   text_hash, model, embedding, acl_set_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13);
                """);
            var hasEmbedding = !chunk.Embedding.IsEmpty;
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chunk.Id });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = document.Tenant });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = document.Id });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = chunk.Ordinal });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chunk.Text });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = chunk.StartOffset });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = chunk.EndOffset });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chunk.SectionPath });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = chunk.TokenCount });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ChunkId.ContentHash(chunk.Text) });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = hasEmbedding ? model! : DBNull.Value });
            insert.Parameters.Add(new NpgsqlParameter
            {
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Real,
                Value = hasEmbedding ? chunk.Embedding.ToArray() : DBNull.Value,
            });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = aclSetId });
            batch.BatchCommands.Add(insert);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);

        // After the new chunks are in: text the new version still holds keeps its cached extraction.
        await PostgresGraphExtractionCache.DeleteUnheldAsync(write, document.Tenant, previousHashes, cancellationToken);
        await write.CommitAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(string tenant, string id, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginStoreWriteAsync(cancellationToken);
        var previousHashes = await DeleteChunksAsync(write, tenant, id, cancellationToken);
        await PostgresGraphExtractionCache.DeleteUnheldAsync(write, tenant, previousHashes, cancellationToken);

        int deleted;
        await using (var deleteDocument = write.Command("DELETE FROM documents WHERE tenant = @tenant AND id = @id;"))
        {
            deleteDocument.Parameters.AddWithValue("tenant", tenant);
            deleteDocument.Parameters.AddWithValue("id", id);
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
        await using var command = new NpgsqlCommand(
            $"""
            SELECT c.id, c.document_id, c.ordinal, c.text, c.start_offset, c.end_offset, c.section_path, c.token_count,
                   c.embedding, d.title, d.source
            FROM chunks c JOIN documents d ON d.tenant = c.tenant AND d.id = c.document_id
            WHERE c.id = ANY(@ids) AND c.tenant = @tenant AND c.acl_set_id IN {PostgresAclSets.PermittedSetsSql};
            """,
            connection);
        command.Parameters.Add(PostgresValues.TextArray("ids", chunkIds));
        PostgresAclSets.BindFilter(command, filter);

        var found = new Dictionary<string, StoredChunk>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var embedding = reader.IsDBNull(8) ? [] : reader.GetFieldValue<float[]>(8);
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
        await using var command = new NpgsqlCommand("SELECT (SELECT COUNT(*) FROM documents), (SELECT COUNT(*) FROM chunks);", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new StoreStatistics(reader.GetInt64(0), reader.GetInt64(1));
    }

    public async Task<IReadOnlyList<string>> GetEmbeddingModelsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT DISTINCT model FROM chunks WHERE model IS NOT NULL ORDER BY model;", connection);
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
        await using var command = new NpgsqlCommand(
            "SELECT text_hash, embedding FROM chunks WHERE model = @model AND text_hash = ANY(@hashes) AND embedding IS NOT NULL;",
            connection);
        command.Parameters.AddWithValue("model", model);
        command.Parameters.Add(PostgresValues.TextArray("hashes", textHashes));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var hash = reader.GetString(0);
            if (!result.ContainsKey(hash))
            {
                result[hash] = reader.GetFieldValue<float[]>(1);
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

    /// <summary>
    /// Deletes the chunks of a document and logs them for vector indexes, keeping only the newest
    /// <see cref="DeletionLogLength"/> log entries; an index further behind reloads fully. Returns the distinct text
    /// hashes of the deleted chunks.
    /// </summary>
    private static async Task<IReadOnlyList<string>> DeleteChunksAsync(PostgresTransaction write, string tenant, string documentId, CancellationToken cancellationToken)
    {
        var hashes = new List<string>();
        await using (var select = write.Command("SELECT DISTINCT text_hash FROM chunks WHERE tenant = @tenant AND document_id = @id;"))
        {
            select.Parameters.AddWithValue("tenant", tenant);
            select.Parameters.AddWithValue("id", documentId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                hashes.Add(reader.GetString(0));
            }
        }

        await using var command = write.Command(
            """
            WITH gone AS (DELETE FROM chunks WHERE tenant = @tenant AND document_id = @id RETURNING seq)
            INSERT INTO chunk_deletions(chunk_seq) SELECT seq FROM gone ORDER BY seq;
            DELETE FROM chunk_deletions WHERE id <= (SELECT MAX(id) FROM chunk_deletions) - @keep;
            """);
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("id", documentId);
        command.Parameters.AddWithValue("keep", (long)DeletionLogLength);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return hashes;
    }

    /// <summary>The vector index holds one dimensionality; a different one means another model, which needs a re-index.</summary>
    private static async Task EnsureSameDimensionsAsync(PostgresTransaction write, int dimensions, CancellationToken cancellationToken)
    {
        await using var command = write.Command("SELECT array_length(embedding, 1) FROM chunks WHERE embedding IS NOT NULL LIMIT 1;");
        if (await command.ExecuteScalarAsync(cancellationToken) is int stored && stored != dimensions)
        {
            throw new InvalidOperationException(
                $"The store holds {stored}-dimensional embeddings; cannot add {dimensions}-dimensional ones. " +
                "Re-index into a new schema or database after changing the embedding model.");
        }
    }

    private static DocumentRecord ReadDocument(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetString(4),
        reader.GetString(5),
        reader.GetInt32(6),
        reader.GetFieldValue<string[]>(7),
        PostgresValues.MapFromJson(reader.GetString(8)),
        reader.GetInt32(9),
        reader.GetInt64(10),
        reader.GetFieldValue<DateTimeOffset>(11),
        reader.GetFieldValue<DateTimeOffset>(12));
}
