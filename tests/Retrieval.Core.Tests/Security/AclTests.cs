using Retrieval.Core.Security;

namespace Retrieval.Core.Tests.Security;

public sealed class AclTests
{
    private static readonly Principal Alice = new("acme", "alice", ["eng"], new HashSet<string> { RetrievalRoles.Reader });

    [Theory]
    [InlineData("public", "public")]
    [InlineData(" PUBLIC ", "public")]
    [InlineData("User:bob", "user:bob")]
    [InlineData("group:eng", "group:eng")]
    public void TryNormalize_ValidEntries_Normalize(string raw, string expected)
    {
        Assert.True(AclEntry.TryNormalize(raw, out var normalized, out _));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bob")]
    [InlineData("role:admin")]
    [InlineData("user:")]
    [InlineData(":x")]
    [InlineData("group:a\u0000b")]
    public void TryNormalize_InvalidEntries_FailWithReason(string raw)
    {
        Assert.False(AclEntry.TryNormalize(raw, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void NormalizeAll_Empty_Throws() =>
        Assert.Throws<ValidationException>(() => AclEntry.NormalizeAll([]));

    [Fact]
    public void NormalizeAll_DeduplicatesAndSorts() =>
        Assert.Equal(["group:eng", "public"], AclEntry.NormalizeAll(["public", "group:eng", "GROUP:eng"]));

    [Fact]
    public void AclFilter_ContainsUserGroupsAndPublic() =>
        Assert.Equal(["group:eng", "public", "user:alice"], Alice.ToAclFilter().Principals);

    [Theory]
    [InlineData("acme", "group:eng", true)]
    [InlineData("acme", "user:alice", true)]
    [InlineData("acme", "public", true)]
    [InlineData("acme", "group:hr", false)]
    [InlineData("acme", "user:bob", false)]
    [InlineData("other", "public", false)]
    [InlineData("other", "group:eng", false)]
    public void AclFilter_Allows_OnlyMatchingTenantAndEntry(string tenant, string entry, bool expected) =>
        Assert.Equal(expected, Alice.ToAclFilter().Allows(tenant, [entry]));

    [Theory]
    [InlineData("acme", "public")]
    [InlineData("", "public")]
    [InlineData("", "user:")]
    [InlineData("acme", "user:alice")]
    public void AclFilterNothing_AnyTenantAnyEntry_AllowsNothing(string tenant, string entry)
    {
        Assert.False(AclFilter.Nothing.Allows(tenant, [entry]));
        Assert.Empty(AclFilter.Nothing.Principals);
        Assert.Equal(string.Empty, AclFilter.Nothing.Tenant);
    }

    [Fact]
    public void AclFilter_GroupNamedLikeUser_DoesNotMatchUserEntry()
    {
        // A group called "alice" must not grant what user:alice may read, and vice versa.
        var groupAlice = new Principal("acme", "mallory", ["alice"], new HashSet<string>());
        Assert.False(groupAlice.ToAclFilter().Allows("acme", ["user:alice"]));
    }

    [Fact]
    public void Require_MissingRole_ThrowsForbidden() =>
        Assert.Throws<ForbiddenException>(() => Alice.Require(RetrievalRoles.Ingestor));

    [Fact]
    public void Require_Admin_HasEveryRole()
    {
        var admin = new Principal("acme", "root", [], new HashSet<string> { RetrievalRoles.Admin });
        admin.Require(RetrievalRoles.Ingestor);
        admin.Require(RetrievalRoles.Reader);
    }
}
