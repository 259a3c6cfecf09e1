using System.Net;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

/// <summary>No path ever returns text derived from a document the caller may not read.</summary>
[Collection(AclCollection.Name)]
public sealed class AclLeakTests
{
    private readonly AclCorpus _corpus;

    public AclLeakTests(AclCorpus corpus) => _corpus = corpus;

    public static TheoryData<string, string> CallersAndModes()
    {
        var data = new TheoryData<string, string>();
        foreach (var caller in AclCorpus.Callers)
        {
            foreach (var mode in new[] { "dense", "lexical", "hybrid" })
            {
                data.Add(caller.User, mode);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CallersAndModes))]
    public async Task Search_EveryCanaryQuery_ReturnsOnlyReadableCanaries(string user, string mode)
    {
        var caller = AclCorpus.Callers.Single(c => c.User == user);
        using var client = _corpus.Factory.ClientFor(caller.User, caller.Groups, [RetrievalRoles.Reader], caller.Tenant);
        var seen = new HashSet<string>();
        foreach (var query in AclCorpus.AllCanaries.Append("procedure budget review people approve"))
        {
            var body = await client.PostJsonAsync("/v1/search", new { query, topK = 20, mode });
            var text = body.GetRawText();
            foreach (var canary in AclCorpus.AllCanaries)
            {
                if (text.Contains(canary, StringComparison.Ordinal))
                {
                    seen.Add(canary);
                }
            }
        }

        Assert.Subset(caller.Readable.ToHashSet(), seen);
        Assert.Equal(caller.Readable.Order(), seen.Order());
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("hank")]
    [InlineData("bob")]
    [InlineData("eve")]
    [InlineData("mallory")]
    public async Task Ask_EveryCanaryQuestion_AnswersOnlyFromReadableDocuments(string user)
    {
        var caller = AclCorpus.Callers.Single(c => c.User == user);
        using var client = _corpus.Factory.ClientFor(caller.User, caller.Groups, [RetrievalRoles.Reader], caller.Tenant);
        foreach (var canary in AclCorpus.AllCanaries)
        {
            var body = await client.PostJsonAsync("/v1/ask", new { question = $"What is the {canary} procedure?" });
            var text = body.GetRawText();
            foreach (var forbidden in AclCorpus.AllCanaries.Except(caller.Readable))
            {
                // The question itself is not echoed, so any forbidden canary would come from a document.
                Assert.DoesNotContain(forbidden, text.Replace($"What is the {forbidden} procedure?", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
            }

            if (!caller.Readable.Contains(canary))
            {
                Assert.DoesNotContain(body.GetProperty("citations").EnumerateArray(), c => c.GetProperty("quote").GetString()!.Contains(canary, StringComparison.Ordinal));
            }
        }
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("hank")]
    [InlineData("bob")]
    [InlineData("eve")]
    [InlineData("mallory")]
    public async Task GetDocument_Unreadable_Is404LikeMissing(string user)
    {
        var caller = AclCorpus.Callers.Single(c => c.User == user);
        using var client = _corpus.Factory.ClientFor(caller.User, caller.Groups, [RetrievalRoles.Reader], caller.Tenant);
        foreach (var (id, canary, _, _) in AclCorpus.Documents)
        {
            using var response = await client.GetAsync(new Uri($"/v1/documents/{id}", UriKind.Relative));
            var text = await response.Content.ReadAsStringAsync();
            if (caller.Readable.Contains(canary))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Contains(canary, text, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.DoesNotContain(canary, text, StringComparison.Ordinal);
            }
        }

        using var missing = await client.GetAsync(new Uri("/v1/documents/does-not-exist", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task JobListings_OnlyShowTheCallersOwnJobs()
    {
        using var alice = _corpus.Factory.ClientFor("alice", ["eng"], [RetrievalRoles.Ingestor], "acme");
        using var content = new MultipartFormDataContent
        {
            { new ByteArrayContent("The quokkasecretjob plan."u8.ToArray()), "files", "quokkasecretjob.txt" },
            { new StringContent("group:eng"), "acl" },
        };
        using var submitted = await alice.PostAsync(new Uri("/v1/ingest/jobs", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var jobId = (await submitted.ReadJsonAsync()).GetProperty("jobId").GetString()!;
        var job = await alice.WaitForJobAsync(jobId);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());

        using var aliceList = await alice.GetAsync(new Uri("/v1/ingest/jobs", UriKind.Relative));
        Assert.Contains(jobId, await aliceList.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        foreach (var (user, tenant) in new[] { ("hank", "acme"), ("mallory", "globex") })
        {
            using var other = _corpus.Factory.ClientFor(user, ["eng"], [RetrievalRoles.Ingestor], tenant);
            using var list = await other.GetAsync(new Uri("/v1/ingest/jobs", UriKind.Relative));
            var listText = await list.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            Assert.DoesNotContain(jobId, listText, StringComparison.Ordinal);
            Assert.DoesNotContain("quokkasecretjob", listText, StringComparison.Ordinal);
            using var get = await other.GetAsync(new Uri($"/v1/ingest/jobs/{jobId}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
            Assert.DoesNotContain("quokkasecretjob", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var cancel = await other.PostAsync(new Uri($"/v1/ingest/jobs/{jobId}/cancel", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        }
    }

    [Fact]
    public async Task Search_TenantAdmin_DoesNotSeeOtherTenant()
    {
        using var admin = _corpus.Factory.ClientFor("root", [], [RetrievalRoles.Admin], "acme");
        var body = await admin.PostJsonAsync("/v1/search", new { query = "vortimaxel", mode = "lexical" });
        Assert.DoesNotContain("vortimaxel", body.GetRawText(), StringComparison.Ordinal);
    }
}
