using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Retrieval.Core.Graph;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// Writes a document's graph rows inside the document store's write transaction, and removes them with its chunks.
/// Entities are shared by the tenant; an entity whose last mention goes is deleted in the same transaction (no rebuild).
/// </summary>
internal static class SqliteGraphWriter
{
    /// <summary>The public id of an entity: the first 16 bytes of SHA-256 over tenant and key, as hex (stable across stores).</summary>
    public static string PublicId(string tenant, string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tenant}\u001f{key}")).AsSpan(0, 16));

    /// <summary>Entities the document's current chunks mention (to check for orphans once they are gone).</summary>
    public static async Task<List<long>> EntitiesOfDocumentAsync(WriteTransaction write, string tenant, string documentId, CancellationToken cancellationToken)
    {
        await using var command = write.CreateCommand(
            """
            SELECT DISTINCT m.entity_id FROM graph_mentions m
            WHERE m.chunk_seq IN (SELECT seq FROM chunks WHERE tenant = $tenant AND document_id = $id);
            """);
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$id", documentId);
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    /// <summary>Deletes the graph rows of the document's chunks (before the chunks themselves).</summary>
    public static async Task DeleteDocumentAsync(WriteTransaction write, string tenant, string documentId, CancellationToken cancellationToken)
    {
        await using var command = write.CreateCommand(
            """
            DELETE FROM graph_mentions WHERE chunk_seq IN (SELECT seq FROM chunks WHERE tenant = $tenant AND document_id = $id);
            DELETE FROM graph_names WHERE chunk_seq IN (SELECT seq FROM chunks WHERE tenant = $tenant AND document_id = $id);
            DELETE FROM graph_relations WHERE chunk_seq IN (SELECT seq FROM chunks WHERE tenant = $tenant AND document_id = $id);
            DELETE FROM graph_documents WHERE tenant = $tenant AND document_id = $id;
            """);
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$id", documentId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes those of <paramref name="entityIds"/> that no chunk mentions any more.</summary>
    public static async Task DeleteOrphansAsync(WriteTransaction write, IReadOnlyCollection<long> entityIds, CancellationToken cancellationToken)
    {
        if (entityIds.Count == 0)
        {
            return;
        }

        await using var command = write.CreateCommand(
            """
            DELETE FROM graph_entities
            WHERE id IN (SELECT value FROM json_each($ids))
              AND NOT EXISTS (SELECT 1 FROM graph_mentions m WHERE m.entity_id = graph_entities.id);
            """);
        command.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(entityIds));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Inserts the graph of a document whose chunks were just inserted with the given sequence numbers.</summary>
    public static async Task InsertAsync(
        WriteTransaction write, string tenant, string documentId, long aclSetId, IReadOnlyDictionary<string, long> seqByChunkId, DocumentGraph graph,
        CancellationToken cancellationToken)
    {
        var entityIds = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var entity = write.CreateCommand(
            """
            INSERT INTO graph_entities(tenant, key, public_id) VALUES ($tenant, $key, $publicId)
            ON CONFLICT(tenant, key) DO UPDATE SET key = excluded.key
            RETURNING id;
            """))
        await using (var mention = write.CreateCommand(
            "INSERT INTO graph_mentions(entity_id, chunk_seq, acl_set_id, name, type, count) VALUES ($entity, $chunk, $aclSet, $name, $type, $count);"))
        await using (var name = write.CreateCommand(
            "INSERT OR IGNORE INTO graph_names(tenant, name_key, entity_id, chunk_seq, acl_set_id) VALUES ($tenant, $name, $entity, $chunk, $aclSet);"))
        await using (var relation = write.CreateCommand(
            "INSERT OR IGNORE INTO graph_relations(source_id, target_id, chunk_seq, acl_set_id, weight) VALUES ($source, $target, $chunk, $aclSet, $weight);"))
        {
            entity.Parameters.AddWithValue("$tenant", tenant);
            var key = entity.Parameters.Add("$key", SqliteType.Text);
            var publicId = entity.Parameters.Add("$publicId", SqliteType.Text);

            var mentionEntity = mention.Parameters.Add("$entity", SqliteType.Integer);
            var mentionChunk = mention.Parameters.Add("$chunk", SqliteType.Integer);
            mention.Parameters.AddWithValue("$aclSet", aclSetId);
            var mentionName = mention.Parameters.Add("$name", SqliteType.Text);
            var mentionType = mention.Parameters.Add("$type", SqliteType.Text);
            var mentionCount = mention.Parameters.Add("$count", SqliteType.Integer);

            name.Parameters.AddWithValue("$tenant", tenant);
            var nameKey = name.Parameters.Add("$name", SqliteType.Text);
            var nameEntity = name.Parameters.Add("$entity", SqliteType.Integer);
            var nameChunk = name.Parameters.Add("$chunk", SqliteType.Integer);
            name.Parameters.AddWithValue("$aclSet", aclSetId);

            var source = relation.Parameters.Add("$source", SqliteType.Integer);
            var target = relation.Parameters.Add("$target", SqliteType.Integer);
            var relationChunk = relation.Parameters.Add("$chunk", SqliteType.Integer);
            relation.Parameters.AddWithValue("$aclSet", aclSetId);
            var weight = relation.Parameters.Add("$weight", SqliteType.Real);

            async Task<long> EntityIdAsync(string entityKey)
            {
                if (!entityIds.TryGetValue(entityKey, out var id))
                {
                    key.Value = entityKey;
                    publicId.Value = PublicId(tenant, entityKey);
                    id = (long)(await entity.ExecuteScalarAsync(cancellationToken))!;
                    entityIds.Add(entityKey, id);
                }

                return id;
            }

            foreach (var chunk in graph.Chunks)
            {
                if (!seqByChunkId.TryGetValue(chunk.ChunkId, out var seq))
                {
                    throw new ArgumentException($"The graph names chunk '{chunk.ChunkId}', which is not a chunk of document '{documentId}'.", nameof(graph));
                }

                foreach (var m in chunk.Mentions)
                {
                    var id = await EntityIdAsync(m.Key);
                    mentionEntity.Value = id;
                    mentionChunk.Value = seq;
                    mentionName.Value = m.Name;
                    mentionType.Value = (object?)m.Type ?? DBNull.Value;
                    mentionCount.Value = m.Count;
                    await mention.ExecuteNonQueryAsync(cancellationToken);

                    nameEntity.Value = id;
                    nameChunk.Value = seq;
                    foreach (var alias in m.Aliases.Prepend(m.Key))
                    {
                        nameKey.Value = alias;
                        await name.ExecuteNonQueryAsync(cancellationToken);
                    }
                }

                var mentioned = chunk.Mentions.Select(m => m.Key).ToHashSet(StringComparer.Ordinal);
                foreach (var r in chunk.Relations)
                {
                    if (!mentioned.Contains(r.SourceKey) || !mentioned.Contains(r.TargetKey))
                    {
                        continue; // a relation is supported by a chunk only between entities that chunk mentions
                    }

                    var a = await EntityIdAsync(r.SourceKey);
                    var b = await EntityIdAsync(r.TargetKey);
                    if (a == b)
                    {
                        continue;
                    }

                    source.Value = Math.Min(a, b);
                    target.Value = Math.Max(a, b);
                    relationChunk.Value = seq;
                    weight.Value = r.Weight;
                    await relation.ExecuteNonQueryAsync(cancellationToken);
                }
            }
        }

        await using var document = write.CreateCommand(
            "INSERT OR REPLACE INTO graph_documents(tenant, document_id, extractor) VALUES ($tenant, $id, $extractor);");
        document.Parameters.AddWithValue("$tenant", tenant);
        document.Parameters.AddWithValue("$id", documentId);
        document.Parameters.AddWithValue("$extractor", graph.Extractor);
        await document.ExecuteNonQueryAsync(cancellationToken);
    }
}
