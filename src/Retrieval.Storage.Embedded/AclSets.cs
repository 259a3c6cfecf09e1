using System.Text.Json;
using Microsoft.Data.Sqlite;
using Retrieval.Core.Security;

namespace Retrieval.Storage.Embedded;

/// <summary>
/// A distinct (tenant, ACL) pair is stored once as an ACL set; documents and chunks point at their set, so a permission
/// check is "is the row's set among the sets this caller may read" — one small lookup instead of a join per row.
/// Sets are append-only: their members never change once written, which lets the vector index cache them.
/// </summary>
internal static class AclSets
{
    /// <summary>
    /// SQL for the ids of the ACL sets readable through a filter; bind <c>$tenant</c> and <c>$principals</c>
    /// (<see cref="PrincipalsJson"/>). Tenant and membership are both checked here, inside the query.
    /// </summary>
    public const string PermittedSetsSql =
        "(SELECT m.acl_set_id FROM acl_set_members m JOIN acl_sets s ON s.id = m.acl_set_id " +
        "WHERE s.tenant = $tenant AND m.principal IN (SELECT value FROM json_each($principals)))";

    public static string PrincipalsJson(AclFilter filter) => JsonSerializer.Serialize(filter.Principals);

    public static void BindFilter(SqliteCommand command, AclFilter filter)
    {
        command.Parameters.AddWithValue("$tenant", filter.Tenant);
        command.Parameters.AddWithValue("$principals", PrincipalsJson(filter));
    }

    /// <summary>The id of the set for this tenant and (normalized) ACL, created inside the caller's transaction when new.</summary>
    public static async Task<long> GetOrCreateAsync(WriteTransaction write, string tenant, IReadOnlyList<string> normalizedAcl, CancellationToken cancellationToken)
    {
        var key = string.Join('\n', normalizedAcl);
        await using (var find = write.CreateCommand("SELECT id FROM acl_sets WHERE tenant = $tenant AND key = $key;"))
        {
            find.Parameters.AddWithValue("$tenant", tenant);
            find.Parameters.AddWithValue("$key", key);
            if (await find.ExecuteScalarAsync(cancellationToken) is long existing)
            {
                return existing;
            }
        }

        long id;
        await using (var insert = write.CreateCommand("INSERT INTO acl_sets(tenant, key) VALUES ($tenant, $key) RETURNING id;"))
        {
            insert.Parameters.AddWithValue("$tenant", tenant);
            insert.Parameters.AddWithValue("$key", key);
            id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }

        await using var member = write.CreateCommand("INSERT INTO acl_set_members(principal, acl_set_id) VALUES ($principal, $set);");
        var principal = member.Parameters.Add("$principal", SqliteType.Text);
        member.Parameters.AddWithValue("$set", id);
        foreach (var entry in normalizedAcl)
        {
            principal.Value = entry;
            await member.ExecuteNonQueryAsync(cancellationToken);
        }

        return id;
    }
}
