using Retrieval.Core.Query;
using Npgsql;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Postgres;

/// <summary>
/// Keyword search with PostgreSQL full-text search: each chunk's <c>tsvector</c> ('english' configuration: Snowball
/// stemming and stop words, GIN-indexed) matched against the query's words joined with OR, ranked by
/// <c>ts_rank_cd</c> (cover density: how many matches and how close together) divided by 1 + log(chunk length).
/// This is not BM25: there is no inverse document frequency, so a rare query word does not outweigh a common one, and
/// scores are not comparable with the embedded store's. Fusion uses ranks (RRF), so hybrid search is unaffected by the
/// scale. The ACL filter (tenant and permitted ACL sets) is in the same statement, so the top k are the best k the
/// caller may read.
/// </summary>
public sealed class PostgresLexicalIndex : ILexicalIndex
{
    /// <summary>Bounds the cost of one query; longer input keeps its first distinct words.</summary>
    public const int MaxTerms = LexicalTerms.MaxQueryTerms;

    private readonly PostgresDatabase database;

    public PostgresLexicalIndex(PostgresDatabase database)
    {
        this.database = database ?? throw new ArgumentNullException(nameof(database));
    }

    public async Task<IReadOnlyList<ScoredChunk>> SearchAsync(AclFilter filter, string query, int topK, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var text = ToWebSearchText(query);
        if (text is null || topK <= 0)
        {
            return [];
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT c.id, ts_rank_cd(c.tsv, q, 1) AS score
            FROM chunks c, websearch_to_tsquery('english'::regconfig, @query) AS q
            WHERE c.tsv @@ q
              AND c.tenant = @tenant
              AND c.acl_set_id IN {PostgresAclSets.PermittedSetsSql}
            ORDER BY score DESC, c.id
            LIMIT @k;
            """,
            connection);
        command.Parameters.AddWithValue("query", text);
        PostgresAclSets.BindFilter(command, filter);
        command.Parameters.AddWithValue("k", topK);

        var results = new List<ScoredChunk>(Math.Min(topK, 256));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            results.Add(new ScoredChunk(reader.GetString(0), reader.GetFloat(1)));
        }

        return results;
    }

    /// <summary>
    /// The text given to <c>websearch_to_tsquery</c>: the user's words (letters, digits, combining marks) and nothing
    /// else, joined with <c>or</c>. No quote, minus sign or other operator the user types survives, and
    /// <c>websearch_to_tsquery</c> never raises a syntax error anyway. Null when there is no word.
    /// </summary>
    internal static string? ToWebSearchText(string? query)
    {
        var terms = LexicalTerms.Distinct(LexicalTerms.Words(query).Where(word => word != "or"), MaxTerms);
        return terms.Count == 0 ? null : string.Join(" or ", terms);
    }
}
