using Qdrant.Client.Grpc;
using Retrieval.Core.Security;
using Retrieval.Storage.Conformance;

namespace Retrieval.Storage.Qdrant.Tests;

public sealed class QdrantFiltersTests
{
    private static readonly string[] AclChoices = ["public", "group:eng", "group:hr", "group:ops", "user:alice", "user:bob", "user:carol"];

    [Fact]
    public void ForReader_AnyCaller_MustMatchTenantAndAnyPrincipalInTheAclArray()
    {
        var reader = TestData.Reader("acme", "alice", "eng", "ops");

        var filter = QdrantFilters.ForReader(reader);

        Assert.Empty(filter.MustNot);
        Assert.Empty(filter.Should);
        Assert.Equal(2, filter.Must.Count);
        Assert.Equal(QdrantSchema.TenantField, filter.Must[0].Field.Key);
        Assert.Equal("acme", filter.Must[0].Field.Match.Keyword);
        Assert.Equal(QdrantSchema.AclField, filter.Must[1].Field.Key);
        Assert.Equal(["group:eng", "group:ops", "public", "user:alice"], filter.Must[1].Field.Match.Keywords.Strings);
    }

    [Fact]
    public void ForReader_RandomPayloadsAndReaders_AdmitsExactlyWhatAclFilterAllows()
    {
        var random = new Random(4242);
        var tenants = new[] { "acme", "initech" };
        var checkedPairs = 0;
        var admitted = 0;
        for (var i = 0; i < 400; i++)
        {
            var tenant = tenants[random.Next(tenants.Length)];
            var acl = AclChoices.Where(_ => random.NextDouble() < 0.25).DefaultIfEmpty(AclChoices[random.Next(AclChoices.Length)]).ToArray();
            var payload = new Dictionary<string, Value>(StringComparer.Ordinal)
            {
                [QdrantSchema.TenantField] = tenant,
                [QdrantSchema.AclField] = acl,
                [QdrantSchema.DocumentIdField] = "doc",
            };
            var groups = new[] { "eng", "hr", "ops" }.Where(_ => random.NextDouble() < 0.4).ToArray();
            var reader = TestData.Reader(tenants[random.Next(tenants.Length)], new[] { "alice", "bob", "dave" }[random.Next(3)], groups);

            var expected = reader.Allows(tenant, acl);
            Assert.Equal(expected, QdrantFilterSemantics.Admits(QdrantFilters.ForReader(reader), payload));
            checkedPairs++;
            admitted += expected ? 1 : 0;
        }

        // Both outcomes are exercised, so the equivalence is not vacuous.
        Assert.InRange(admitted, 40, checkedPairs - 40);
    }

    [Fact]
    public void ForReader_OtherTenantWithSameAcl_IsNotAdmitted()
    {
        var payload = Payload("initech", ["public", "group:eng"]);

        Assert.False(QdrantFilterSemantics.Admits(QdrantFilters.ForReader(TestData.Reader("acme", "alice", "eng")), payload));
        Assert.True(QdrantFilterSemantics.Admits(QdrantFilters.ForReader(TestData.Reader("initech", "alice", "eng")), payload));
    }

    [Fact]
    public void ForVersionAndOtherVersions_PartitionTheDocumentsPoints()
    {
        var current = QdrantFilters.ForVersion("acme", "doc-1", 3);
        var others = QdrantFilters.ForOtherVersions("acme", "doc-1", 3);
        var all = QdrantFilters.ForDocument("acme", "doc-1");

        foreach (var (tenant, document, version) in new[] { ("acme", "doc-1", 3), ("acme", "doc-1", 2), ("acme", "doc-1", 4), ("acme", "doc-2", 3), ("initech", "doc-1", 3) })
        {
            var payload = new Dictionary<string, Value>(StringComparer.Ordinal)
            {
                [QdrantSchema.TenantField] = tenant,
                [QdrantSchema.DocumentIdField] = document,
                [QdrantSchema.VersionField] = version,
                [QdrantSchema.AclField] = new[] { "public" },
            };
            var isDocument = tenant == "acme" && document == "doc-1";

            Assert.Equal(isDocument, QdrantFilterSemantics.Admits(all, payload));
            Assert.Equal(isDocument && version == 3, QdrantFilterSemantics.Admits(current, payload));
            Assert.Equal(isDocument && version != 3, QdrantFilterSemantics.Admits(others, payload));
        }
    }

    private static Dictionary<string, Value> Payload(string tenant, string[] acl) => new(StringComparer.Ordinal)
    {
        [QdrantSchema.TenantField] = tenant,
        [QdrantSchema.AclField] = acl,
    };
}
