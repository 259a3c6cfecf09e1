using System.Net;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

public sealed class DurabilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("retrieval-durable-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Restart_KeepsDocumentsChunksAndJobHistory()
    {
        string jobId;
        using (var first = new RetrievalApiFactory(_dir))
        {
            using var client = first.ClientFor("alice", ["eng"]);
            using var content = new MultipartFormDataContent
            {
                { new ByteArrayContent("# Durable\n\nThe persistentheron survives restarts."u8.ToArray()), "files", "durable.md" },
                { new StringContent("group:eng"), "acl" },
            };
            using var response = await client.PostAsync(new Uri("/v1/ingest/jobs", UriKind.Relative), content);
            jobId = (await response.ReadJsonAsync()).GetProperty("jobId").GetString()!;
            var job = await client.WaitForJobAsync(jobId);
            Assert.Equal("succeeded", job.GetProperty("state").GetString());
        }

        using var second = new RetrievalApiFactory(_dir);
        using var again = second.ClientFor("alice", ["eng"]);
        foreach (var mode in new[] { "lexical", "dense", "hybrid" })
        {
            var search = await again.PostJsonAsync("/v1/search", new { query = "persistentheron survives restarts", mode });
            Assert.Equal("durable.md", search.GetProperty("results")[0].GetProperty("documentId").GetString());
        }

        using var jobResponse = await again.GetAsync(new Uri($"/v1/ingest/jobs/{jobId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, jobResponse.StatusCode);
        Assert.Equal("succeeded", (await jobResponse.ReadJsonAsync()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Reingest_SameContent_IsNoOp_ChangedContent_ReplacesChunks()
    {
        using var factory = new RetrievalApiFactory(_dir);
        using var client = factory.ClientFor("alice", ["eng"], [RetrievalRoles.Reader, RetrievalRoles.Ingestor]);
        var first = await client.PostJsonAsync("/v1/documents", new { id = "doc", text = "The oldmarigold text.", acl = new[] { "public" } }, HttpStatusCode.Created);
        var same = await client.PostJsonAsync("/v1/documents", new { id = "doc", text = "The oldmarigold text.", acl = new[] { "public" } }, HttpStatusCode.OK);
        Assert.True(same.GetProperty("unchanged").GetBoolean());
        Assert.Equal(first.GetProperty("version").GetInt32(), same.GetProperty("version").GetInt32());

        var changed = await client.PostJsonAsync("/v1/documents", new { id = "doc", text = "The newtulip text.", acl = new[] { "public" } }, HttpStatusCode.Created);
        Assert.Equal(2, changed.GetProperty("version").GetInt32());

        foreach (var mode in new[] { "lexical", "hybrid" })
        {
            var old = await client.PostJsonAsync("/v1/search", new { query = "oldmarigold", mode });
            Assert.DoesNotContain("oldmarigold", old.GetRawText(), StringComparison.Ordinal);
        }

        var acl = await client.PostJsonAsync("/v1/documents", new { id = "doc", text = "The newtulip text.", acl = new[] { "group:hr" } }, HttpStatusCode.Created);
        Assert.False(acl.GetProperty("unchanged").GetBoolean());
        using var outsider = factory.ClientFor("bob", []);
        var hidden = await outsider.PostJsonAsync("/v1/search", new { query = "newtulip", mode = "lexical" });
        Assert.Equal(0, hidden.GetProperty("results").GetArrayLength());

        using var delete = await client.DeleteAsync(new Uri("/v1/documents/doc", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var admin = factory.ClientFor("root", [], [RetrievalRoles.Admin]);
        var gone = await admin.PostJsonAsync("/v1/search", new { query = "newtulip", mode = "hybrid" });
        Assert.DoesNotContain("newtulip", gone.GetRawText(), StringComparison.Ordinal);
        using var getGone = await admin.GetAsync(new Uri("/v1/documents/doc", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, getGone.StatusCode);
    }
}
