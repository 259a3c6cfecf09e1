namespace Retrieval.CrashHarness;

/// <summary>
/// The embedded store's structural invariants (see src/Retrieval.Storage.Embedded/EmbeddedSchema.cs,
/// SqliteDocumentStore.cs, SqliteGraphWriter.cs, AclSets.cs, SqliteJobQueue.cs), each a query that returns one
/// description per offending row. A write that was cut off half-way would show up here; SQLite's transactions are
/// what should make every one of them empty after any kill.
/// </summary>
internal static class StoreInvariants
{
    public static IReadOnlyList<(string Name, string Sql)> All(bool expectGraph, int embeddingBytes)
    {
        var all = new List<(string, string)>
        {
            // Documents and chunks (one upsert transaction writes the row, its chunks, FTS rows and embeddings).
            ("chunk without its document",
             "SELECT c.tenant || '/' || c.document_id || ' seq ' || c.seq FROM chunks c LEFT JOIN documents d ON d.tenant = c.tenant AND d.id = c.document_id WHERE d.id IS NULL"),
            ("document whose chunk rows do not match chunk_count and ordinals 0..n-1",
             """
             SELECT d.tenant || '/' || d.id || ': chunk_count ' || d.chunk_count || ', rows ' || COUNT(c.seq) || ', ordinals '
                    || COALESCE(MIN(c.ordinal), '-') || '..' || COALESCE(MAX(c.ordinal), '-')
             FROM documents d LEFT JOIN chunks c ON c.tenant = d.tenant AND c.document_id = d.id
             GROUP BY d.tenant, d.id
             HAVING COUNT(c.seq) <> d.chunk_count OR COUNT(DISTINCT c.ordinal) <> COUNT(c.seq)
                 OR (COUNT(c.seq) > 0 AND (MIN(c.ordinal) <> 0 OR MAX(c.ordinal) <> COUNT(c.seq) - 1))
             """),
            ("chunk whose ACL set differs from its document's",
             "SELECT c.tenant || '/' || c.document_id || ' seq ' || c.seq FROM chunks c JOIN documents d ON d.tenant = c.tenant AND d.id = c.document_id WHERE c.acl_set_id <> d.acl_set_id"),
            ("chunk without its embedding (vector) of the model's dimensions",
             $"SELECT c.tenant || '/' || c.document_id || ' seq ' || c.seq || ' model ' || COALESCE(c.model, 'NULL') || ' bytes ' || COALESCE(length(c.embedding), 'NULL') FROM chunks c WHERE c.embedding IS NULL OR c.model IS NULL OR length(c.embedding) <> {embeddingBytes}"),
            ("chunk whose text hash is empty",
             "SELECT 'seq ' || seq FROM chunks WHERE text_hash IS NULL OR text_hash = ''"),
            ("deletion-log entry (which vector indexes follow) for a chunk that still exists",
             "SELECT 'chunk seq ' || chunk_seq FROM chunk_deletions WHERE chunk_seq IN (SELECT seq FROM chunks)"),
            ("chunk seq above the AUTOINCREMENT counter (a seq could be reused, and vector indexes would miss it)",
             "SELECT 'max seq ' || MAX(seq) FROM chunks HAVING MAX(seq) > COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'chunks'), 0)"),

            // FTS5 (external content over chunks, kept by triggers): one index row per chunk, none for a missing chunk.
            ("FTS row without its chunk",
             "SELECT 'fts rowid ' || id FROM chunks_fts_docsize WHERE id NOT IN (SELECT seq FROM chunks)"),
            ("chunk missing from the FTS index",
             "SELECT c.tenant || '/' || c.document_id || ' seq ' || c.seq FROM chunks c WHERE c.seq NOT IN (SELECT id FROM chunks_fts_docsize)"),

            // ACL sets (append-only; documents, chunks and graph rows point at them).
            ("document in a missing or another tenant's ACL set",
             "SELECT d.tenant || '/' || d.id || ' set ' || d.acl_set_id FROM documents d LEFT JOIN acl_sets s ON s.id = d.acl_set_id WHERE s.id IS NULL OR s.tenant <> d.tenant"),
            ("chunk in a missing or another tenant's ACL set",
             "SELECT c.tenant || '/' || c.document_id || ' seq ' || c.seq FROM chunks c LEFT JOIN acl_sets s ON s.id = c.acl_set_id WHERE s.id IS NULL OR s.tenant <> c.tenant"),
            ("ACL set member of a missing set",
             "SELECT m.principal || ' set ' || m.acl_set_id FROM acl_set_members m WHERE m.acl_set_id NOT IN (SELECT id FROM acl_sets)"),
            ("ACL set without members",
             "SELECT s.tenant || ' set ' || s.id FROM acl_sets s WHERE NOT EXISTS (SELECT 1 FROM acl_set_members m WHERE m.acl_set_id = s.id)"),
            ("graph row in a missing ACL set",
             """
             SELECT 'mention set ' || acl_set_id FROM graph_mentions WHERE acl_set_id NOT IN (SELECT id FROM acl_sets)
             UNION ALL SELECT 'name set ' || acl_set_id FROM graph_names WHERE acl_set_id NOT IN (SELECT id FROM acl_sets)
             UNION ALL SELECT 'relation set ' || acl_set_id FROM graph_relations WHERE acl_set_id NOT IN (SELECT id FROM acl_sets)
             """),

            // Graph: every row hangs off a chunk, with the chunk's tenant and ACL set; entities live while mentioned.
            ("graph mention without its chunk or entity",
             "SELECT 'entity ' || m.entity_id || ' chunk ' || m.chunk_seq FROM graph_mentions m WHERE m.chunk_seq NOT IN (SELECT seq FROM chunks) OR m.entity_id NOT IN (SELECT id FROM graph_entities)"),
            ("graph mention whose ACL set or tenant differs from its chunk's",
             """
             SELECT 'entity ' || m.entity_id || ' chunk ' || m.chunk_seq FROM graph_mentions m
             JOIN chunks c ON c.seq = m.chunk_seq JOIN graph_entities e ON e.id = m.entity_id
             WHERE m.acl_set_id <> c.acl_set_id OR e.tenant <> c.tenant
             """),
            ("graph name without a mention of its entity in its chunk",
             """
             SELECT n.tenant || ' ' || n.name_key || ' entity ' || n.entity_id || ' chunk ' || n.chunk_seq FROM graph_names n
             WHERE NOT EXISTS (SELECT 1 FROM graph_mentions m WHERE m.entity_id = n.entity_id AND m.chunk_seq = n.chunk_seq)
                OR NOT EXISTS (SELECT 1 FROM chunks c WHERE c.seq = n.chunk_seq AND c.tenant = n.tenant AND c.acl_set_id = n.acl_set_id)
             """),
            ("graph relation (edge) without support: its chunk, or a mention of each end in that chunk",
             """
             SELECT r.source_id || '-' || r.target_id || ' chunk ' || r.chunk_seq FROM graph_relations r
             WHERE r.source_id >= r.target_id
                OR NOT EXISTS (SELECT 1 FROM chunks c WHERE c.seq = r.chunk_seq AND c.acl_set_id = r.acl_set_id)
                OR NOT EXISTS (SELECT 1 FROM graph_mentions m WHERE m.entity_id = r.source_id AND m.chunk_seq = r.chunk_seq)
                OR NOT EXISTS (SELECT 1 FROM graph_mentions m WHERE m.entity_id = r.target_id AND m.chunk_seq = r.chunk_seq)
             """),
            ("graph entity without any supporting mention (orphan)",
             "SELECT e.tenant || ' ' || e.key FROM graph_entities e WHERE NOT EXISTS (SELECT 1 FROM graph_mentions m WHERE m.entity_id = e.id)"),
            ("graph document marker without its document",
             "SELECT g.tenant || '/' || g.document_id FROM graph_documents g LEFT JOIN documents d ON d.tenant = g.tenant AND d.id = g.document_id WHERE d.id IS NULL"),

            // Jobs: counts follow the items; finished jobs dropped their bytes; pending items kept theirs.
            ("job in an unknown state",
             "SELECT id || ' ' || state FROM jobs WHERE state NOT IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')"),
            ("job whose counts do not match its items",
             """
             SELECT j.id || ': total ' || j.total || ' succeeded ' || j.succeeded || ' failed ' || j.failed FROM jobs j
             WHERE j.total <> (SELECT COUNT(*) FROM job_items i WHERE i.job_id = j.id)
                OR j.succeeded <> (SELECT COUNT(*) FROM job_items i WHERE i.job_id = j.id AND i.done = 1 AND i.succeeded = 1)
                OR j.failed <> (SELECT COUNT(*) FROM job_items i WHERE i.job_id = j.id AND i.done = 1 AND i.succeeded = 0)
             """),
            ("job item of a missing job",
             "SELECT job_id || '#' || idx FROM job_items WHERE job_id NOT IN (SELECT id FROM jobs)"),
            ("running job without a lease",
             "SELECT id FROM jobs WHERE state = 'running' AND (lease_owner IS NULL OR lease_until IS NULL)"),
            ("finished job without finished_at, or still holding uploaded bytes",
             """
             SELECT j.id || ' ' || j.state FROM jobs j WHERE j.state IN ('succeeded', 'failed', 'cancelled')
               AND (j.finished_at IS NULL OR EXISTS (SELECT 1 FROM job_items i WHERE i.job_id = j.id AND i.content IS NOT NULL))
             """),
            ("pending job item whose uploaded bytes are gone",
             """
             SELECT i.job_id || '#' || i.idx FROM job_items i JOIN jobs j ON j.id = i.job_id
             WHERE j.state IN ('queued', 'running') AND i.done = 0 AND i.has_content = 1 AND i.content IS NULL
             """),
            // The harness never deletes documents that jobs wrote, so each one a job recorded as ingested must exist.
            ("succeeded job item whose document does not exist",
             """
             SELECT i.job_id || '#' || i.idx || ' ' || i.document_id FROM job_items i JOIN jobs j ON j.id = i.job_id
             WHERE i.done = 1 AND i.succeeded = 1 AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.tenant = j.tenant AND d.id = i.document_id)
             """),
        };

        if (expectGraph)
        {
            all.Add(("document without its graph (graph extraction is on, so every upsert writes one)",
                "SELECT d.tenant || '/' || d.id FROM documents d LEFT JOIN graph_documents g ON g.tenant = d.tenant AND g.document_id = d.id WHERE g.document_id IS NULL"));
        }

        return all;
    }
}
