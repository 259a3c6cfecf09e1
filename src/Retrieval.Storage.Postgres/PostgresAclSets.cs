using Npgsql;
using Retrieval.Core.Security;

namespace Retrieval.Storage.Postgres;

/// <summary>
/// A distinct (tenant, ACL) pair is stored once as an ACL set; documents and chunks point at their set, so a permission
/// check is "is the row's set among the sets this caller may read" (the same design as the embedded store). Sets are
/// append-only, which lets the vector index cache them.
/// </summary>
internal static class PostgresAclSets
{
    /// <summary>SQL for the ids of the ACL sets readable through a filter; bind with <see cref="BindFilter"/>. Tenant and membership are both checked here.</summary>
    public const string PermittedSetsSql =
        "(SELECT m.acl_set_id FROM acl_set_members m JOIN acl_sets s ON s.id = m.acl_set_id " +
        "WHERE s.tenant = @tenant AND m.principal = ANY(@principals))";

    public static void BindFilter(NpgsqlCommand command, AclFilter filter)
    {
        command.Parameters.AddWithValue("tenant", filter.Tenant);
        command.Parameters.Add(PostgresValues.TextArray("principals", filter.Principals));
    }

    /// <summary>The id of the set for this tenant and (normalized) ACL, created inside the caller's store write when new.</summary>
    public static async Task<long> GetOrCreateAsync(PostgresTransaction write, string tenant, IReadOnlyList<string> normalizedAcl, CancellationToken cancellationToken)
    {
        var key = string.Join('\n', normalizedAcl);
        await using (var find = write.Command("SELECT id FROM acl_sets WHERE tenant = @tenant AND key = @key;"))
        {
            find.Parameters.AddWithValue("tenant", tenant);
            find.Parameters.AddWithValue("key", key);
            if (await find.ExecuteScalarAsync(cancellationToken) is long existing)
            {
                return existing;
            }
        }

        await using var insert = write.Command(
            """
            WITH created AS (INSERT INTO acl_sets(tenant, key) VALUES (@tenant, @key) RETURNING id),
                 members AS (INSERT INTO acl_set_members(principal, acl_set_id) SELECT p, (SELECT id FROM created) FROM unnest(@acl) AS p)
            SELECT id FROM created;
            """);
        insert.Parameters.AddWithValue("tenant", tenant);
        insert.Parameters.AddWithValue("key", key);
        insert.Parameters.Add(PostgresValues.TextArray("acl", normalizedAcl));
        return (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
    }
}
