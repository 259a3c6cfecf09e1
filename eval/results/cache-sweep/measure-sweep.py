"""Cost of the LLM extraction cache sweep's SQL (SqliteGraphExtractionCache.PurgeOrphansAsync) on SQLite.

usage: python3 measure-sweep.py [held rows = chunks] [orphan rows] [batch size]
Builds a throwaway WAL database in a temporary folder: the cache table and both indexes as migration 4 creates them,
chunks reduced to the columns the sweep reads. Then sweeps twice (the orphans, then nothing left) and prints the
query plans and timings. See docs/graphrag.md, "Failed ingests".
"""
import sqlite3, hashlib, time, os, json, statistics, sys, tempfile
path = os.path.join(tempfile.mkdtemp(prefix='cache-sweep-'), 'm.db')
db = sqlite3.connect(path, isolation_level=None)
db.execute('PRAGMA journal_mode=WAL'); db.execute('PRAGMA synchronous=NORMAL')
# chunks reduced to the columns the sweep reads; the cache table and both indexes as migration 4 creates them
db.executescript('''
CREATE TABLE chunks(seq INTEGER PRIMARY KEY, tenant TEXT NOT NULL, document_id TEXT NOT NULL, text_hash TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE graph_extraction_cache(cache_key TEXT NOT NULL PRIMARY KEY, tenant TEXT NOT NULL, chunk_hash TEXT NOT NULL, value TEXT NOT NULL, created_at TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX graph_extraction_cache_chunk ON graph_extraction_cache(tenant, chunk_hash);
CREATE INDEX chunks_text_tenant ON chunks(text_hash, tenant);
''')
H = lambda s: hashlib.sha256(s.encode()).hexdigest()
N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
O = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
value = json.dumps({"entities": [{"name": "x" * 20, "type": "person"}] * 5, "relations": []})
db.execute('BEGIN')
for i in range(N):
    h = H('chunk %d' % i)
    db.execute('INSERT INTO chunks(tenant, document_id, text_hash, text) VALUES (?,?,?,?)', ('acme', 'doc%d' % (i // 50), h, 'text %d ' % i * 40))
    db.execute("INSERT INTO graph_extraction_cache VALUES (?,?,?,?,datetime('now','-2 hours'))", (H('key %d' % i), 'acme', h, value))
for i in range(O):
    db.execute("INSERT INTO graph_extraction_cache VALUES (?,?,?,?,datetime('now','-2 hours'))", (H('orphan key %d' % i), 'acme', H('orphan %d' % i), value))
db.execute('COMMIT')
FIND = '''SELECT g.cache_key FROM graph_extraction_cache g
WHERE g.cache_key > ? AND g.created_at <= datetime('now', ?)
  AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.text_hash = g.chunk_hash AND c.tenant = g.tenant)
ORDER BY g.cache_key LIMIT ?'''
DELETE = '''DELETE FROM graph_extraction_cache
WHERE cache_key IN (SELECT value FROM json_each(?)) AND created_at <= datetime('now', ?)
  AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.text_hash = graph_extraction_cache.chunk_hash AND c.tenant = graph_extraction_cache.tenant)'''
print('sqlite', sqlite3.sqlite_version, 'chunks', N, 'held rows', N, 'orphans', O)
for row in db.execute('EXPLAIN QUERY PLAN ' + FIND, ('', '-3600.000 seconds', 500)): print('  find:', row[3])
for row in db.execute('EXPLAIN QUERY PLAN ' + DELETE, ('[]', '-3600.000 seconds')): print('  delete:', row[3])
def sweep(batch):
    after, reads, writes, deleted = '', [], [], 0
    while True:
        t = time.perf_counter(); keys = [r[0] for r in db.execute(FIND, (after, '-3600.000 seconds', batch))]; reads.append(time.perf_counter() - t)
        if not keys: break
        t = time.perf_counter(); db.execute('BEGIN IMMEDIATE'); cur = db.execute(DELETE, (json.dumps(keys), '-3600.000 seconds')); deleted += cur.rowcount; db.execute('COMMIT'); writes.append(time.perf_counter() - t)
        if len(keys) < batch: break
        after = keys[-1]
    return deleted, reads, writes
B = int(sys.argv[3]) if len(sys.argv) > 3 else 500
d, r, w = sweep(B)
print('sweep with %d orphans, batch %d: deleted %d in %d batches; read per batch mean %.1f ms (total %.0f ms); write transaction per batch mean %.2f ms, median %.2f ms, max %.2f ms' % (O, B, d, len(w), statistics.mean(r)*1000, sum(r)*1000, statistics.mean(w)*1000, statistics.median(w)*1000, max(w)*1000))
d, r, w = sweep(B)
print('sweep with no orphans left: deleted %d, one read %.0f ms, no write' % (d, sum(r)*1000))
db.close()
import shutil
shutil.rmtree(os.path.dirname(path))
