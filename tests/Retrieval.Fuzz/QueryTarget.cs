using System.Text;
using Retrieval.Core.Documents;
using Retrieval.Core.Security;
using Retrieval.Storage.Embedded;

namespace Retrieval.Fuzz;

/// <summary>
/// User text into BM25 search over a real SQLite FTS5 index (<see cref="SqliteLexicalIndex"/>, through LexicalQuery).
/// Acceptable: results (only chunks the caller may read) or none. Any exception is a finding: user text must never
/// become FTS5 syntax or an SQLite error. The first input byte picks how the rest becomes a string: UTF-8 (invalid
/// sequences replaced, as the JSON body binder does) or raw UTF-16 code units (lone surrogates included).
/// </summary>
internal sealed class QueryTarget : IFuzzTarget
{
    private const string Tenant = "fuzz";

    private static readonly AclFilter Reader = AclFilter.For(
        new Principal(Tenant, "reader", [], new HashSet<string>(StringComparer.Ordinal) { RetrievalRoles.Reader }));

    private readonly SqliteLexicalIndex _index;
    private readonly HashSet<string> _readable = new(StringComparer.Ordinal);

    public QueryTarget()
    {
        string directory = Path.Combine(Path.GetTempPath(), "retrieval-fuzz-query-" + Environment.ProcessId);
        Directory.CreateDirectory(directory);
        var database = new EmbeddedDatabase(Path.Combine(directory, "fuzz.db"));
        var store = new SqliteDocumentStore(database, "fuzz-model");
        store.InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        Store(store, "public-doc", ["public"], "The walrus NEAR the shore: \"quoted\" text, column:value pairs and AND OR NOT words.", readable: true);
        Store(store, "naive-doc", ["public"], "Naïve café résumé — ß straße 東京 データ 🦭 émoji * ^ ( ) { } - + :", readable: true);
        Store(store, "secret-doc", ["user:someone-else"], "The walrus secret plans are only for someone else.", readable: false);
        _index = new SqliteLexicalIndex(database);
    }

    public string Run(byte[] input)
    {
        string query = input.Length > 0 && input[0] % 2 == 1
            ? new string(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, char>(input.AsSpan(1, (input.Length - 1) & ~1)))
            : Encoding.UTF8.GetString(input.AsSpan(Math.Min(1, input.Length)));

        var results = _index.SearchAsync(Reader, query, 10, CancellationToken.None).GetAwaiter().GetResult();
        foreach (var result in results)
        {
            if (!_readable.Contains(result.ChunkId))
            {
                throw new FuzzFindingException($"search returned chunk {result.ChunkId}, which the caller may not read");
            }
        }

        return $"{results.Count} results";
    }

    private void Store(SqliteDocumentStore store, string id, string[] acl, string text, bool readable)
    {
        var chunkId = ChunkId.For(Tenant, id, 1, 0);
        var now = DateTimeOffset.UnixEpoch;
        var document = new DocumentRecord(id, Tenant, id + ".txt", id, "text/plain", ChunkId.ContentHash(text), 1,
            AclEntry.NormalizeAll(acl), new Dictionary<string, string>(), 1, 10, now, now);
        var chunk = new ChunkRecord(chunkId, id, 0, text, 0, text.Length, string.Empty, 10, new float[] { 1, 0, 0, 0 });
        store.UpsertAsync(document, [chunk], CancellationToken.None).GetAwaiter().GetResult();
        if (readable)
        {
            _readable.Add(chunkId);
        }
    }
}
