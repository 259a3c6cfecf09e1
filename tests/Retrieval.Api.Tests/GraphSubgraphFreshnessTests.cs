using System.Net;
using System.Net.Http.Json;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

/// <summary>
/// Graph search while documents change: the subgraph comes from the in-memory copy only when it matches the store, so an
/// ACL change or a deletion is seen by the very next search — through the SQL read while the copy is being reloaded,
/// and the same with the copy switched off.
/// </summary>
public sealed class GraphSubgraphFreshnessTests
{
    private const string Query = "Zanzibar Quokka Foundation";

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task Search_GraphModeAfterAclChangeAndDelete_NextSearchSeesEachChange(string inMemorySubgraph)
    {
        using var factory = new RetrievalApiFactory(settings: new Dictionary<string, string?> { ["Retrieval:Graph:InMemorySubgraph"] = inMemorySubgraph });
        using var admin = factory.ClientFor("loader", roles: [RetrievalRoles.Admin]);
        using var bob = factory.ClientFor("bob", [], [RetrievalRoles.Reader]);
        await admin.PostJsonAsync("/v1/documents", new { id = "fund", text = "The Zanzibar Quokka Foundation funds Acme Robotics.", acl = new[] { "public" } }, HttpStatusCode.Created);
        await admin.PostJsonAsync("/v1/documents", new { id = "office", text = "Acme Robotics opened an office beside Lisbon Harbour.", acl = new[] { "public" } }, HttpStatusCode.Created);

        // Several searches: the first after the writes in SQL, later ones from the copy once it is reloaded.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(["fund", "office"], await GraphDocumentsAsync(bob));
        }

        using (var update = await admin.PostAsJsonAsync(
            "/v1/documents", new { id = "office", text = "Acme Robotics opened an office beside Lisbon Harbour.", acl = new[] { "group:eng" } }, RetrievalApiFactory.Json))
        {
            Assert.True(update.IsSuccessStatusCode, $"re-upsert: {(int)update.StatusCode}");
        }

        var afterAcl = await GraphDocumentsAsync(bob);
        var body = (await bob.PostJsonAsync("/v1/search", new { query = Query, topK = 10, mode = "graph" })).GetRawText();
        Assert.Equal(["fund"], afterAcl);
        Assert.DoesNotContain("Lisbon", body, StringComparison.Ordinal);

        using (var delete = await admin.DeleteAsync(new Uri("/v1/documents/fund", UriKind.Relative)))
        {
            Assert.True(delete.IsSuccessStatusCode, $"delete: {(int)delete.StatusCode}");
        }

        Assert.Empty(await GraphDocumentsAsync(bob));
        Assert.Empty(await GraphDocumentsAsync(bob));
    }

    private static async Task<List<string>> GraphDocumentsAsync(HttpClient client)
    {
        var body = await client.PostJsonAsync("/v1/search", new { query = Query, topK = 10, mode = "graph" });
        return [.. body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("documentId").GetString()!).Distinct().Order(StringComparer.Ordinal)];
    }
}
