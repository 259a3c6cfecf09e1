using Microsoft.Data.Sqlite;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// Schema migrations, applied in order and recorded in <c>schema_version</c>. Append new migrations; never edit one
/// that has shipped. Each runs in its own IMMEDIATE transaction, so concurrent processes apply it once.
/// </summary>
internal static class EmbeddedSchema
{
    private static readonly string[] Migrations =
    [
        // 1: documents, ACL sets, chunks (+ FTS5 and the deletion log the vector index follows), jobs.
        """
        CREATE TABLE acl_sets(
            id INTEGER PRIMARY KEY,
            tenant TEXT NOT NULL,
            key TEXT NOT NULL,
            UNIQUE(tenant, key));

        CREATE TABLE acl_set_members(
            principal TEXT NOT NULL,
            acl_set_id INTEGER NOT NULL REFERENCES acl_sets(id),
            PRIMARY KEY(principal, acl_set_id)) WITHOUT ROWID;

        CREATE TABLE documents(
            tenant TEXT NOT NULL,
            id TEXT NOT NULL,
            source TEXT NOT NULL,
            title TEXT NOT NULL,
            content_type TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            version INTEGER NOT NULL,
            acl_json TEXT NOT NULL,
            metadata_json TEXT NOT NULL,
            chunk_count INTEGER NOT NULL,
            token_count INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            acl_set_id INTEGER NOT NULL REFERENCES acl_sets(id),
            PRIMARY KEY(tenant, id));

        -- seq is AUTOINCREMENT so it is never reused: the vector index reads rows with seq above the last one it saw.
        CREATE TABLE chunks(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            tenant TEXT NOT NULL,
            document_id TEXT NOT NULL,
            ordinal INTEGER NOT NULL,
            text TEXT NOT NULL,
            start_offset INTEGER NOT NULL,
            end_offset INTEGER NOT NULL,
            section_path TEXT NOT NULL,
            token_count INTEGER NOT NULL,
            text_hash TEXT NOT NULL,
            model TEXT,
            embedding BLOB,
            acl_set_id INTEGER NOT NULL REFERENCES acl_sets(id),
            FOREIGN KEY(tenant, document_id) REFERENCES documents(tenant, id) ON DELETE CASCADE);
        CREATE INDEX chunks_document ON chunks(tenant, document_id);
        CREATE INDEX chunks_model_text ON chunks(model, text_hash);

        CREATE VIRTUAL TABLE chunks_fts USING fts5(
            text, content='chunks', content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2');

        -- Deleted chunk rows, in order: how a vector index (in this or another process) learns of deletions.
        CREATE TABLE chunk_deletions(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            chunk_seq INTEGER NOT NULL);

        CREATE TRIGGER chunks_after_insert AFTER INSERT ON chunks BEGIN
            INSERT INTO chunks_fts(rowid, text) VALUES (new.seq, new.text);
        END;
        CREATE TRIGGER chunks_after_delete AFTER DELETE ON chunks BEGIN
            INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.seq, old.text);
            INSERT INTO chunk_deletions(chunk_seq) VALUES (old.seq);
        END;
        CREATE TRIGGER chunks_after_update AFTER UPDATE OF text ON chunks BEGIN
            INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.seq, old.text);
            INSERT INTO chunks_fts(rowid, text) VALUES (new.seq, new.text);
        END;

        CREATE TABLE jobs(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            tenant TEXT NOT NULL,
            submitted_by TEXT NOT NULL,
            state TEXT NOT NULL,
            acl_json TEXT NOT NULL,
            metadata_json TEXT NOT NULL,
            total INTEGER NOT NULL,
            succeeded INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0,
            chunks INTEGER NOT NULL DEFAULT 0,
            tokens INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            execution_provider TEXT,
            created_at INTEGER NOT NULL,
            started_at INTEGER,
            finished_at INTEGER,
            next_attempt_at INTEGER NOT NULL,
            lease_owner TEXT,
            lease_until INTEGER,
            cancel_requested INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX jobs_runnable ON jobs(state, next_attempt_at);
        CREATE INDEX jobs_tenant ON jobs(tenant, submitted_by, seq);

        CREATE TABLE job_items(
            job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            source TEXT NOT NULL,
            server_path TEXT,
            content_type TEXT,
            has_content INTEGER NOT NULL,
            content BLOB,
            done INTEGER NOT NULL DEFAULT 0,
            succeeded INTEGER,
            document_id TEXT,
            chunks INTEGER NOT NULL DEFAULT 0,
            tokens INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            PRIMARY KEY(job_id, idx));
        """,

        // 2: the knowledge graph. Every row hangs off a chunk (chunk_seq, with the chunk's ACL set copied for filtering), so
        // an entity, alias or relation exists for a reader only through chunks it may read, and disappears with its last chunk.
        """
        CREATE TABLE graph_entities(
            id INTEGER PRIMARY KEY,
            tenant TEXT NOT NULL,
            key TEXT NOT NULL,
            public_id TEXT NOT NULL UNIQUE,
            UNIQUE(tenant, key));

        CREATE TABLE graph_mentions(
            entity_id INTEGER NOT NULL REFERENCES graph_entities(id),
            chunk_seq INTEGER NOT NULL REFERENCES chunks(seq) ON DELETE CASCADE,
            acl_set_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            type TEXT,
            count INTEGER NOT NULL,
            PRIMARY KEY(entity_id, chunk_seq)) WITHOUT ROWID;
        CREATE INDEX graph_mentions_chunk ON graph_mentions(chunk_seq);

        -- The names (key and aliases) by which a chunk links text to an entity.
        CREATE TABLE graph_names(
            tenant TEXT NOT NULL,
            name_key TEXT NOT NULL,
            entity_id INTEGER NOT NULL REFERENCES graph_entities(id),
            chunk_seq INTEGER NOT NULL REFERENCES chunks(seq) ON DELETE CASCADE,
            acl_set_id INTEGER NOT NULL,
            PRIMARY KEY(tenant, name_key, entity_id, chunk_seq)) WITHOUT ROWID;
        CREATE INDEX graph_names_chunk ON graph_names(chunk_seq);
        CREATE INDEX graph_names_entity ON graph_names(entity_id);

        -- Co-occurrence relations, source_id < target_id, one row per supporting chunk.
        CREATE TABLE graph_relations(
            source_id INTEGER NOT NULL REFERENCES graph_entities(id),
            target_id INTEGER NOT NULL REFERENCES graph_entities(id),
            chunk_seq INTEGER NOT NULL REFERENCES chunks(seq) ON DELETE CASCADE,
            acl_set_id INTEGER NOT NULL,
            weight REAL NOT NULL,
            PRIMARY KEY(source_id, target_id, chunk_seq)) WITHOUT ROWID;
        CREATE INDEX graph_relations_target ON graph_relations(target_id, source_id);
        CREATE INDEX graph_relations_chunk ON graph_relations(chunk_seq);

        -- Which extractor built a document's graph (a new extractor re-extracts on the next ingest).
        CREATE TABLE graph_documents(
            tenant TEXT NOT NULL,
            document_id TEXT NOT NULL,
            extractor TEXT NOT NULL,
            PRIMARY KEY(tenant, document_id),
            FOREIGN KEY(tenant, document_id) REFERENCES documents(tenant, id) ON DELETE CASCADE);
        """,

        // 3: LLM graph extraction results by a hash of (tenant, chunk text, model, prompt version): re-ingesting unchanged
        // text costs no LLM call. Values hold only what the chunk text itself yielded; rows are never read by queries.
        """
        CREATE TABLE graph_extraction_cache(
            cache_key TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL,
            created_at TEXT NOT NULL) WITHOUT ROWID;
        """,

        // 4: each cache row records its tenant and chunk text hash, so deleting or replacing a document deletes the rows
        // whose text no chunk of the tenant still holds (chunks_text_tenant answers that). Rows from migration 3 lack
        // both and are only a cache: the table is recreated empty.
        """
        DROP TABLE graph_extraction_cache;
        CREATE TABLE graph_extraction_cache(
            cache_key TEXT NOT NULL PRIMARY KEY,
            tenant TEXT NOT NULL,
            chunk_hash TEXT NOT NULL,
            value TEXT NOT NULL,
            created_at TEXT NOT NULL) WITHOUT ROWID;
        CREATE INDEX graph_extraction_cache_chunk ON graph_extraction_cache(tenant, chunk_hash);
        CREATE INDEX chunks_text_tenant ON chunks(text_hash, tenant);
        """,
    ];

    /// <summary>The version a fully migrated database reports.</summary>
    public static int LatestVersion => Migrations.Length;

    public static async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL);";
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        for (var version = 1; version <= Migrations.Length; version++)
        {
            await using var transaction = connection.BeginTransaction(deferred: false);
            await using var check = connection.CreateCommand();
            check.Transaction = transaction;
            check.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
            var current = Convert.ToInt32(await check.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (current >= version)
            {
                continue;
            }

            await using var migrate = connection.CreateCommand();
            migrate.Transaction = transaction;
            migrate.CommandText = Migrations[version - 1];
            await migrate.ExecuteNonQueryAsync(cancellationToken);

            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_version(version, applied_at) VALUES ($v, datetime('now'));";
            record.Parameters.AddWithValue("$v", version);
            await record.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
    }
}
