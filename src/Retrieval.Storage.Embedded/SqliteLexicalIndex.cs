using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// BM25 over the chunks' FTS5 index (porter stemming, unicode61 with diacritics removed). The ACL filter (tenant and
/// permitted ACL sets) is part of the same SQL statement, so the top k are the best k the caller may read.
/// Scores are <c>-bm25()</c>: higher is better.
/// </summary>
public sealed class SqliteLexicalIndex : ILexicalIndex
{
    private readonly EmbeddedDatabase database;

    public SqliteLexicalIndex(EmbeddedDatabase database)
    {
        this.database = database ?? throw new ArgumentNullException(nameof(database));
    }

    public async Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, string query, int topK, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var match = LexicalQuery.ToMatchExpression(query);
        if (match is null || topK <= 0)
        {
            return [];
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            $"""
            SELECT c.id, -bm25(chunks_fts) AS score
            FROM chunks_fts JOIN chunks c ON c.seq = chunks_fts.rowid
            WHERE chunks_fts MATCH $match
              AND c.tenant = $tenant
              AND c.acl_set_id IN {AclSets.PermittedSetsSql}
            ORDER BY score DESC, c.id
            LIMIT $k;
            """;
        command.Parameters.AddWithValue("$match", match);
        AclSets.BindFilter(command, filter);
        command.Parameters.AddWithValue("$k", topK);

        var results = new List<ScoredChunk>(Math.Min(topK, 256));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            results.Add(new ScoredChunk(reader.GetString(0), reader.GetDouble(1)));
        }

        return results;
    }
}
