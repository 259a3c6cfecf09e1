using Qdrant.Client.Grpc;
using Retrieval.Core.Security;
using static Qdrant.Client.Grpc.Conditions;

namespace Retrieval.Storage.Qdrant;

/// <summary>Payload filters. Every search carries <see cref="ForReader"/>, so the ACL is applied inside the HNSW/sparse search, not after it.</summary>
internal static class QdrantFilters
{
    /// <summary>
    /// What a caller may read: must match the tenant, and the chunk's <c>acl</c> array must contain at least one of the
    /// caller's principals (a keyword "match any" on an array field is true when any element matches). Never empty:
    /// <see cref="AclFilter.Principals"/> always holds <c>public</c> and the caller's own user entry.
    /// </summary>
    public static Filter ForReader(AclFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Principals.Count == 0)
        {
            throw new ArgumentException("An ACL filter without principals can read nothing and must not reach the index.", nameof(filter));
        }

        return new Filter
        {
            Must =
            {
                MatchKeyword(QdrantSchema.TenantField, filter.Tenant),
                Match(QdrantSchema.AclField, [.. filter.Principals]),
            },
        };
    }

    /// <summary>Every point of one document (all versions).</summary>
    public static Filter ForDocument(string tenant, string documentId) => new()
    {
        Must =
        {
            MatchKeyword(QdrantSchema.TenantField, tenant),
            MatchKeyword(QdrantSchema.DocumentIdField, documentId),
        },
    };

    /// <summary>The points of exactly this version of the document.</summary>
    public static Filter ForVersion(string tenant, string documentId, int version)
    {
        var filter = ForDocument(tenant, documentId);
        filter.Must.Add(Match(QdrantSchema.VersionField, version));
        return filter;
    }

    /// <summary>The document's points of every other version (left behind by an earlier version or an interrupted projection).</summary>
    public static Filter ForOtherVersions(string tenant, string documentId, int version)
    {
        var filter = ForDocument(tenant, documentId);
        filter.MustNot.Add(Match(QdrantSchema.VersionField, version));
        return filter;
    }
}
