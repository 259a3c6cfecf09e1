using System.Text.RegularExpressions;
using Npgsql;

namespace Retrieval.Storage.Postgres;

/// <summary>
/// Schema migrations, applied in order and recorded in <c>schema_version</c>. Append new migrations; never edit one
/// that has shipped. All of them run in one transaction that first takes a transaction-scoped advisory lock keyed by
/// the schema name, so two processes starting at once apply each migration exactly once (the second waits, then finds
/// nothing to do). PostgreSQL DDL is transactional: a migration that fails leaves nothing behind.
/// </summary>
internal static partial class PostgresSchema
{
    private static readonly string[] Migrations =
    [
        // 1: store head (writer lock + change counter), ACL sets, documents, chunks (+ full-text), deletion log, jobs.
        """
        CREATE TABLE store_head(
            id integer PRIMARY KEY CHECK (id = 1),
            writes bigint NOT NULL);
        INSERT INTO store_head(id, writes) VALUES (1, 0);

        CREATE TABLE acl_sets(
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            tenant text NOT NULL,
            key text NOT NULL,
            UNIQUE (tenant, key));

        CREATE TABLE acl_set_members(
            principal text NOT NULL,
            acl_set_id bigint NOT NULL REFERENCES acl_sets(id),
            PRIMARY KEY (principal, acl_set_id));

        CREATE TABLE documents(
            tenant text NOT NULL,
            id text NOT NULL,
            source text NOT NULL,
            title text NOT NULL,
            content_type text NOT NULL,
            content_hash text NOT NULL,
            version integer NOT NULL,
            acl text[] NOT NULL,
            metadata jsonb NOT NULL,
            chunk_count integer NOT NULL,
            token_count bigint NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            acl_set_id bigint NOT NULL REFERENCES acl_sets(id),
            PRIMARY KEY (tenant, id));

        -- seq comes from an identity and is never reused: the vector index reads rows with seq above the last one it saw.
        -- tsv is the chunk's full-text vector ('english': stemming and stop words), kept by PostgreSQL itself.
        CREATE TABLE chunks(
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            tenant text NOT NULL,
            document_id text NOT NULL,
            ordinal integer NOT NULL,
            text text NOT NULL,
            start_offset integer NOT NULL,
            end_offset integer NOT NULL,
            section_path text NOT NULL,
            token_count integer NOT NULL,
            text_hash text NOT NULL,
            model text,
            embedding real[],
            acl_set_id bigint NOT NULL REFERENCES acl_sets(id),
            tsv tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED,
            FOREIGN KEY (tenant, document_id) REFERENCES documents(tenant, id));
        CREATE INDEX chunks_document ON chunks(tenant, document_id);
        CREATE INDEX chunks_model_text ON chunks(model, text_hash);
        CREATE INDEX chunks_tsv ON chunks USING gin(tsv);

        -- Deleted chunk rows, in order: how a vector index (in this or another process) learns of deletions.
        CREATE TABLE chunk_deletions(
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            chunk_seq bigint NOT NULL);

        CREATE TABLE jobs(
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            tenant text NOT NULL,
            submitted_by text NOT NULL,
            state text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
            acl text[] NOT NULL,
            metadata jsonb NOT NULL,
            total integer NOT NULL,
            succeeded integer NOT NULL DEFAULT 0,
            failed integer NOT NULL DEFAULT 0,
            chunks bigint NOT NULL DEFAULT 0,
            tokens bigint NOT NULL DEFAULT 0,
            attempts integer NOT NULL DEFAULT 0,
            last_error text,
            execution_provider text,
            created_at timestamptz NOT NULL,
            started_at timestamptz,
            finished_at timestamptz,
            next_attempt_at timestamptz NOT NULL,
            lease_owner text,
            lease_until timestamptz,
            cancel_requested boolean NOT NULL DEFAULT false);
        CREATE INDEX jobs_pending ON jobs(seq) WHERE state IN ('queued', 'running');
        CREATE INDEX jobs_tenant ON jobs(tenant, submitted_by, seq);

        CREATE TABLE job_items(
            job_id text NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            idx integer NOT NULL,
            source text NOT NULL,
            server_path text,
            content_type text,
            has_content boolean NOT NULL,
            content bytea,
            done boolean NOT NULL DEFAULT false,
            succeeded boolean,
            document_id text,
            chunks integer NOT NULL DEFAULT 0,
            tokens bigint NOT NULL DEFAULT 0,
            error text,
            PRIMARY KEY (job_id, idx));
        """,

        // 2: LLM graph extraction results by a hash of (tenant, chunk text, model, prompt version): re-ingesting unchanged
        // text costs no LLM call. Values hold only what the chunk text itself yielded; rows are never read by queries.
        """
        CREATE TABLE graph_extraction_cache(
            cache_key text PRIMARY KEY,
            value text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now());
        """,

        // 3: each cache row records its tenant and chunk text hash, so deleting or replacing a document deletes the rows
        // whose text no chunk of the tenant still holds (chunks_text_tenant answers that). Rows from migration 2 lack
        // both and are only a cache: the table is recreated empty.
        """
        DROP TABLE graph_extraction_cache;
        CREATE TABLE graph_extraction_cache(
            cache_key text PRIMARY KEY,
            tenant text NOT NULL,
            chunk_hash text NOT NULL,
            value text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX graph_extraction_cache_chunk ON graph_extraction_cache(tenant, chunk_hash);
        CREATE INDEX chunks_text_tenant ON chunks(text_hash, tenant);
        """,
    ];

    /// <summary>The version a fully migrated schema reports.</summary>
    public static int LatestVersion => Migrations.Length;

    public static bool IsValidName(string schema) => SchemaName().IsMatch(schema);

    public static async Task MigrateAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var setup = new NpgsqlCommand(
            $"""
            SELECT pg_advisory_xact_lock(hashtext('retrieval.migrations'), hashtext(@schema));
            CREATE SCHEMA IF NOT EXISTS "{schema}";
            CREATE TABLE IF NOT EXISTS "{schema}".schema_version(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
            """,
            connection,
            transaction))
        {
            setup.Parameters.AddWithValue("schema", schema);
            await setup.ExecuteNonQueryAsync(cancellationToken);
        }

        int current;
        await using (var check = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM \"{schema}\".schema_version;", connection, transaction))
        {
            current = Convert.ToInt32(await check.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        }

        if (current > Migrations.Length)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL schema '{schema}' is at version {current}, newer than this build knows ({Migrations.Length}). Upgrade the service.");
        }

        for (var version = current + 1; version <= Migrations.Length; version++)
        {
            // The connection's search path is the schema, so the migrations use unqualified names.
            await using var migrate = new NpgsqlCommand(Migrations[version - 1], connection, transaction);
            await migrate.ExecuteNonQueryAsync(cancellationToken);
            await using var record = new NpgsqlCommand($"INSERT INTO \"{schema}\".schema_version(version) VALUES (@version);", connection, transaction);
            record.Parameters.AddWithValue("version", version);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}
