using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Retrieval.CrashHarness;

/// <summary>What one inspection of the SQLite file looked at.</summary>
internal sealed record InspectionReport(int DocumentsChecked, int MarkersChecked, int Settled, long DocumentRows, long ChunkRows);

/// <summary>
/// Opens the store's SQLite file read-only while the service is dead (right after the SIGKILL, before the restart)
/// and checks <c>PRAGMA integrity_check</c>, foreign keys, <see cref="StoreInvariants"/>, the ACL sets, and the
/// ledger: every acknowledged document present with its version, chunk count and every paragraph marker (in the chunk
/// text and through the FTS index), every acknowledged delete or replacement gone, every acknowledged job still there.
/// Documents whose last operation was never answered are settled here on whichever candidate state the file shows;
/// a state that matches none of them is a half-written document.
/// </summary>
internal static class StoreInspector
{
    private const int MaxRowsPerFinding = 5;

    public static InspectionReport Inspect(string databasePath, Ledger ledger, Findings findings, int cycle, bool expectGraph, int embeddingBytes)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();

        var integrity = Strings(connection, "PRAGMA integrity_check;");
        if (integrity is not ["ok"])
        {
            findings.Violation($"cycle {cycle}: PRAGMA integrity_check: {string.Join("; ", integrity.Take(MaxRowsPerFinding))}");
        }

        var foreignKeys = Strings(connection, "SELECT \"table\" || ' rowid ' || COALESCE(rowid, 'NULL') || ' -> ' || parent FROM pragma_foreign_key_check;");
        if (foreignKeys.Count > 0)
        {
            findings.Violation($"cycle {cycle}: PRAGMA foreign_key_check: {foreignKeys.Count} rows, e.g. {string.Join("; ", foreignKeys.Take(MaxRowsPerFinding))}");
        }

        foreach (var (name, sql) in StoreInvariants.All(expectGraph, embeddingBytes))
        {
            var rows = Strings(connection, sql);
            if (rows.Count > 0)
            {
                findings.Violation($"cycle {cycle}: {name}: {rows.Count} rows, e.g. {string.Join("; ", rows.Take(MaxRowsPerFinding))}");
            }
        }

        CheckAclSets(connection, findings, cycle);
        var settled = SettleUncertain(connection, ledger, findings, cycle);
        var (documents, markers) = CheckLedger(connection, ledger, findings, cycle);
        var documentRows = Scalar(connection, "SELECT COUNT(*) FROM documents;");
        var chunkRows = Scalar(connection, "SELECT COUNT(*) FROM chunks;");
        return new InspectionReport(documents, markers, settled, documentRows, chunkRows);
    }

    /// <summary>
    /// FTS5's own 'integrity-check' compares the full-text index with the chunk table it indexes. It is a write
    /// statement, so it runs on a copy of the file and its WAL (opening the copy replays the WAL as a restart would).
    /// </summary>
    public static void CheckFullTextIndex(string databasePath, string scratchDirectory, Findings findings, int cycle)
    {
        Directory.CreateDirectory(scratchDirectory);
        var copy = Path.Combine(scratchDirectory, "fts-check.db");
        foreach (var suffix in new[] { string.Empty, "-wal" })
        {
            var source = databasePath + suffix;
            var target = copy + suffix;
            if (File.Exists(source))
            {
                File.Copy(source, target, overwrite: true);
            }
            else
            {
                File.Delete(target);
            }
        }

        File.Delete(copy + "-shm");
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 1);";
            command.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            findings.Violation($"cycle {cycle}: FTS5 integrity-check: {ex.Message}");
        }
        finally
        {
            foreach (var suffix in new[] { string.Empty, "-wal", "-shm" })
            {
                File.Delete(copy + suffix);
            }
        }
    }

    /// <summary>Each ACL set's members are exactly the entries of its key, and each document's ACL is its set's key.</summary>
    private static void CheckAclSets(SqliteConnection connection, Findings findings, int cycle)
    {
        var keys = new Dictionary<long, string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, key FROM acl_sets;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                keys[reader.GetInt64(0)] = reader.GetString(1);
            }
        }

        var members = new Dictionary<long, SortedSet<string>>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT acl_set_id, principal FROM acl_set_members;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = reader.GetInt64(0);
                if (!members.TryGetValue(id, out var set))
                {
                    members[id] = set = new SortedSet<string>(StringComparer.Ordinal);
                }

                set.Add(reader.GetString(1));
            }
        }

        var bad = new List<string>();
        foreach (var (id, key) in keys)
        {
            var expected = new SortedSet<string>(key.Split('\n'), StringComparer.Ordinal);
            if (!members.TryGetValue(id, out var actual) || !expected.SetEquals(actual))
            {
                bad.Add(string.Create(CultureInfo.InvariantCulture, $"set {id} key [{key.Replace('\n', ',')}] members [{string.Join(',', actual ?? [])}]"));
            }
        }

        if (bad.Count > 0)
        {
            findings.Violation($"cycle {cycle}: ACL set whose members differ from its key: {bad.Count}, e.g. {string.Join("; ", bad.Take(MaxRowsPerFinding))}");
        }

        var mismatched = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT tenant, id, acl_json, acl_set_id FROM documents;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var acl = JsonSerializer.Deserialize<List<string>>(reader.GetString(2)) ?? [];
                if (!keys.TryGetValue(reader.GetInt64(3), out var key) || key != string.Join('\n', acl))
                {
                    mismatched.Add($"{reader.GetString(0)}/{reader.GetString(1)}");
                }
            }
        }

        if (mismatched.Count > 0)
        {
            findings.Violation($"cycle {cycle}: document whose ACL differs from its ACL set: {mismatched.Count}, e.g. {string.Join("; ", mismatched.Take(MaxRowsPerFinding))}");
        }
    }

    /// <summary>Observed state of one document: its row (version, chunk count) and the text of its chunks.</summary>
    private sealed record Observed(bool Present, int Version, int ChunkCount, string Text);

    private static Observed Observe(SqliteConnection connection, string tenant, string id)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            """
            SELECT d.version, d.chunk_count,
                   (SELECT group_concat(c.text, char(10)) FROM chunks c WHERE c.tenant = d.tenant AND c.document_id = d.id)
            FROM documents d WHERE d.tenant = $tenant AND d.id = $id;
            """;
        command.Parameters.AddWithValue("$tenant", tenant);
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new Observed(true, reader.GetInt32(0), reader.GetInt32(1), reader.IsDBNull(2) ? string.Empty : reader.GetString(2))
            : new Observed(false, 0, 0, string.Empty);
    }

    private static bool Matches(Observed observed, DocVersion candidate, IEnumerable<DocVersion> others)
    {
        if (observed.Present != candidate.Present)
        {
            return false;
        }

        if (candidate.Present
            && (!candidate.Markers.All(m => observed.Text.Contains(m, StringComparison.Ordinal))
                || (candidate.Version is { } version && observed.Version != version)
                || (candidate.Chunks is { } chunks && observed.ChunkCount != chunks)))
        {
            return false;
        }

        // No paragraph of another candidate may be there: that would be a mix of two versions.
        return !others.SelectMany(o => o.Markers).Except(candidate.Markers).Any(m => observed.Text.Contains(m, StringComparison.Ordinal));
    }

    private static int SettleUncertain(SqliteConnection connection, Ledger ledger, Findings findings, int cycle)
    {
        var settled = 0;
        foreach (var doc in ledger.Documents.Where(d => d.Candidates is not null && !d.Broken))
        {
            var candidates = doc.Candidates!;
            var observed = Observe(connection, doc.Tenant, doc.Id);
            var matching = candidates.Where(c => Matches(observed, c, candidates.Where(o => !ReferenceEquals(o, c)))).ToList();
            if (matching.Count == 0)
            {
                findings.Violation(string.Create(CultureInfo.InvariantCulture,
                    $"cycle {cycle}: half-written document {doc.Tenant}/{doc.Id}: present={observed.Present} version={observed.Version} chunks={observed.ChunkCount}, matching none of its {candidates.Count} possible states"));
                doc.Candidates = null;
                doc.Broken = true; // reported once, not checked again
                continue;
            }

            var state = matching[0];
            if (doc.MayStillChange && !state.Present)
            {
                continue; // its job may still run
            }

            doc.Settle(state, acknowledged: false, cycle);
            if (state.Present)
            {
                doc.Known = state with { Version = observed.Version, Chunks = observed.ChunkCount };
            }

            settled++;
        }

        return settled;
    }

    private static (int Documents, int Markers) CheckLedger(SqliteConnection connection, Ledger ledger, Findings findings, int cycle)
    {
        using (var create = connection.CreateCommand())
        {
            create.CommandText =
                """
                CREATE TEMP TABLE IF NOT EXISTS expect_docs(tenant TEXT, id TEXT, present INTEGER, version INTEGER, chunks INTEGER, acknowledged INTEGER);
                CREATE TEMP TABLE IF NOT EXISTS expect_markers(tenant TEXT, id TEXT, marker TEXT, current INTEGER);
                CREATE TEMP TABLE IF NOT EXISTS expect_jobs(id TEXT);
                DELETE FROM expect_docs; DELETE FROM expect_markers; DELETE FROM expect_jobs;
                """;
            create.ExecuteNonQuery();
        }

        var documents = 0;
        var markers = 0;
        using (var transaction = connection.BeginTransaction())
        {
            using var doc = connection.CreateCommand();
            doc.Transaction = transaction;
            doc.CommandText = "INSERT INTO expect_docs VALUES ($tenant, $id, $present, $version, $chunks, $ack);";
            var docTenant = doc.Parameters.Add("$tenant", SqliteType.Text);
            var docId = doc.Parameters.Add("$id", SqliteType.Text);
            var present = doc.Parameters.Add("$present", SqliteType.Integer);
            var version = doc.Parameters.Add("$version", SqliteType.Integer);
            var chunks = doc.Parameters.Add("$chunks", SqliteType.Integer);
            var ack = doc.Parameters.Add("$ack", SqliteType.Integer);

            using var marker = connection.CreateCommand();
            marker.Transaction = transaction;
            marker.CommandText = "INSERT INTO expect_markers VALUES ($tenant, $id, $marker, $current);";
            var markerTenant = marker.Parameters.Add("$tenant", SqliteType.Text);
            var markerId = marker.Parameters.Add("$id", SqliteType.Text);
            var markerText = marker.Parameters.Add("$marker", SqliteType.Text);
            var current = marker.Parameters.Add("$current", SqliteType.Integer);

            foreach (var tracked in ledger.Documents.Where(d => !d.Broken))
            {
                if (tracked.IsSettled && tracked.Known is { } known)
                {
                    docTenant.Value = tracked.Tenant;
                    docId.Value = tracked.Id;
                    present.Value = known.Present ? 1 : 0;
                    version.Value = (object?)known.Version ?? DBNull.Value;
                    chunks.Value = (object?)known.Chunks ?? DBNull.Value;
                    ack.Value = tracked.Acknowledged ? 1 : 0;
                    doc.ExecuteNonQuery();
                    documents++;
                    foreach (var m in known.Markers)
                    {
                        AddMarker(m, 1);
                    }
                }

                // Retired markers are checked even while a newer operation is in doubt: no candidate contains them.
                foreach (var m in tracked.RetiredMarkers)
                {
                    AddMarker(m, 0);
                }

                void AddMarker(string value, int isCurrent)
                {
                    markerTenant.Value = tracked.Tenant;
                    markerId.Value = tracked.Id;
                    markerText.Value = value;
                    current.Value = isCurrent;
                    marker.ExecuteNonQuery();
                    markers++;
                }
            }

            using var job = connection.CreateCommand();
            job.Transaction = transaction;
            job.CommandText = "INSERT INTO expect_jobs VALUES ($id);";
            var jobId = job.Parameters.Add("$id", SqliteType.Text);
            foreach (var tracked in ledger.Jobs)
            {
                jobId.Value = tracked.Id;
                job.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        Report(connection, findings, cycle, loss: true, "acknowledged document missing",
            """
            SELECT e.tenant || '/' || e.id FROM expect_docs e
            WHERE e.present = 1 AND e.acknowledged = 1 AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.tenant = e.tenant AND d.id = e.id)
            """);
        Report(connection, findings, cycle, loss: true, "acknowledged document with another version or chunk count than acknowledged",
            """
            SELECT e.tenant || '/' || e.id || ': version ' || d.version || ' (acknowledged ' || COALESCE(e.version, '?') || '), chunks '
                   || (SELECT COUNT(*) FROM chunks c WHERE c.tenant = d.tenant AND c.document_id = d.id) || ' (acknowledged ' || COALESCE(e.chunks, '?') || ')'
            FROM expect_docs e JOIN documents d ON d.tenant = e.tenant AND d.id = e.id
            WHERE e.present = 1 AND e.acknowledged = 1
              AND ((e.version IS NOT NULL AND d.version <> e.version)
                OR (e.chunks IS NOT NULL AND e.chunks <> (SELECT COUNT(*) FROM chunks c WHERE c.tenant = d.tenant AND c.document_id = d.id)))
            """);
        Report(connection, findings, cycle, loss: false, "settled document (never acknowledged) changed afterwards",
            """
            SELECT e.tenant || '/' || e.id FROM expect_docs e
            WHERE e.acknowledged = 0 AND e.present <> EXISTS (SELECT 1 FROM documents d WHERE d.tenant = e.tenant AND d.id = e.id)
            """);
        Report(connection, findings, cycle, loss: true, "acknowledged delete undone: the document is back",
            """
            SELECT e.tenant || '/' || e.id FROM expect_docs e
            WHERE e.present = 0 AND e.acknowledged = 1 AND EXISTS (SELECT 1 FROM documents d WHERE d.tenant = e.tenant AND d.id = e.id)
            """);
        Report(connection, findings, cycle, loss: true, "paragraph of an acknowledged document missing from its chunks",
            """
            SELECT m.tenant || '/' || m.id || ' ' || m.marker FROM expect_markers m JOIN expect_docs e ON e.tenant = m.tenant AND e.id = m.id
            WHERE m.current = 1 AND e.acknowledged = 1
              AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.tenant = m.tenant AND c.document_id = m.id AND instr(c.text, m.marker) > 0)
            """);
        Report(connection, findings, cycle, loss: true, "paragraph of an acknowledged document not found through the FTS index",
            """
            SELECT m.tenant || '/' || m.id || ' ' || m.marker FROM expect_markers m JOIN expect_docs e ON e.tenant = m.tenant AND e.id = m.id
            WHERE m.current = 1 AND e.acknowledged = 1
              AND NOT EXISTS (SELECT 1 FROM chunks_fts f JOIN chunks c ON c.seq = f.rowid
                              WHERE chunks_fts MATCH '"' || m.marker || '"' AND c.tenant = m.tenant AND c.document_id = m.id)
            """);
        Report(connection, findings, cycle, loss: true, "replaced, deleted or uncommitted text found in chunks",
            """
            SELECT m.tenant || '/' || m.id || ' ' || m.marker FROM expect_markers m
            WHERE m.current = 0 AND EXISTS (SELECT 1 FROM chunks c WHERE c.tenant = m.tenant AND c.document_id = m.id AND instr(c.text, m.marker) > 0)
            """);
        Report(connection, findings, cycle, loss: false, "replaced, deleted or uncommitted text still in the FTS index",
            """
            SELECT m.tenant || '/' || m.id || ' ' || m.marker FROM expect_markers m
            WHERE m.current = 0 AND EXISTS (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH '"' || m.marker || '"')
            """);
        Report(connection, findings, cycle, loss: true, "acknowledged ingestion job missing",
            "SELECT e.id FROM expect_jobs e WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = e.id)");
        return (documents, markers);
    }

    private static void Report(SqliteConnection connection, Findings findings, int cycle, bool loss, string name, string sql)
    {
        var rows = Strings(connection, sql);
        if (rows.Count == 0)
        {
            return;
        }

        var message = $"cycle {cycle}: {name}: {rows.Count}, e.g. {string.Join("; ", rows.Take(MaxRowsPerFinding))}";
        if (loss)
        {
            findings.Loss(message);
        }
        else
        {
            findings.Violation(message);
        }
    }

    private static List<string> Strings(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var rows = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(reader.IsDBNull(0) ? "NULL" : Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture) ?? string.Empty);
        }

        return rows;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
