using System.Net;
using System.Net.Http.Json;
using System.Text;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

/// <summary>Bad input gets a clear ProblemDetails error, and nothing already stored changes.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private readonly string _allowedRoot = Directory.CreateTempSubdirectory("retrieval-root-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("retrieval-outside-").FullName;
    private RetrievalApiFactory _factory = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _factory = new RetrievalApiFactory(settings: new Dictionary<string, string?>
        {
            ["Retrieval:Limits:MaxRequestBytes"] = "200000",
            ["Retrieval:Ingestion:MaxDocumentBytes"] = "100000",
            ["Retrieval:Ingestion:AllowedRoots:0"] = _allowedRoot,
        });
        _client = _factory.ClientFor("alice", ["eng"], [RetrievalRoles.Reader, RetrievalRoles.Ingestor]);
        await _client.PostJsonAsync("/v1/documents", new { id = "keeper", text = "The steadfastolive archive keeps every record safe.", acl = new[] { "public" } }, HttpStatusCode.Created);
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _factory.Dispose();
        Directory.Delete(_allowedRoot, true);
        Directory.Delete(_outside, true);
        return Task.CompletedTask;
    }

    public static TheoryData<string, byte[]> CorruptFiles() => new()
    {
        { "broken.pdf", "%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref"u8.ToArray() },
        { "broken.docx", "PK\u0003\u0004 this is not really a zip"u8.ToArray() },
        { "garbage.txt", [0x00, 0xFF, 0xFE, 0x01, 0x02, 0x00, 0x9F, 0x80, 0x00, 0x00, 0xC3, 0x28] },
        { "empty.md", [] },
        { "notes.exe", "MZ\u0090\u0000"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public async Task UploadDocument_CorruptOrUnsupported_Is400AndStoreUnchanged(string name, byte[] bytes)
    {
        using var content = new MultipartFormDataContent
        {
            { new ByteArrayContent(bytes), "file", name },
            { new StringContent("public"), "acl" },
        };
        using var response = await _client.PostAsync(new Uri("/v1/documents", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Contains(name, problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        await AssertKeeperIntactAsync();
    }

    [Fact]
    public async Task Job_WithCorruptFile_FailsThatDocumentOnly()
    {
        using var content = new MultipartFormDataContent
        {
            { new ByteArrayContent("%PDF-1.4 broken"u8.ToArray()), "files", "bad.pdf" },
            { new ByteArrayContent("The goodwillow memo is fine."u8.ToArray()), "files", "good.txt" },
            { new StringContent("public"), "acl" },
        };
        using var response = await _client.PostAsync(new Uri("/v1/ingest/jobs", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await _client.WaitForJobAsync((await response.ReadJsonAsync()).GetProperty("jobId").GetString()!);

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal(1, job.GetProperty("documents").GetProperty("succeeded").GetInt32());
        Assert.Equal(1, job.GetProperty("documents").GetProperty("failed").GetInt32());
        var error = Assert.Single(job.GetProperty("errors").EnumerateArray());
        Assert.Equal("bad.pdf", error.GetProperty("source").GetString());
        var search = await _client.PostJsonAsync("/v1/search", new { query = "goodwillow", mode = "lexical" });
        Assert.Equal(1, search.GetProperty("results").GetArrayLength());
        await AssertKeeperIntactAsync();
    }

    [Fact]
    public async Task PostDocument_OversizeBody_Is413()
    {
        var text = new string('a', 300_000);
        using var response = await _client.PostAsJsonAsync("/v1/documents", new { id = "huge", text, acl = new[] { "public" } });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertKeeperIntactAsync();
    }

    [Fact]
    public async Task PostDocument_OverDocumentLimit_Is413WithLimitName()
    {
        var text = string.Join(' ', Enumerable.Repeat("word", 30_000));
        using var response = await _client.PostAsJsonAsync("/v1/documents", new { id = "big", text, acl = new[] { "public" } });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("MaxDocumentBytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/search", "{\"query\": ")]
    [InlineData("/v1/search", "[1,2,3]")]
    [InlineData("/v1/documents", "{not json")]
    [InlineData("/v1/ask", "{\"question\": 42}")]
    public async Task Post_InvalidJson_Is400ProblemDetails(string url, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(new Uri(url, UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(400, (await response.ReadJsonAsync()).GetProperty("status").GetInt32());
        await AssertKeeperIntactAsync();
    }

    [Theory]
    [InlineData("{\"query\": \"\"}")]
    [InlineData("{\"query\": \"x\", \"topK\": 0}")]
    [InlineData("{\"query\": \"x\", \"topK\": 100000}")]
    [InlineData("{\"query\": \"x\", \"mode\": \"psychic\"}")]
    public async Task Search_InvalidParameters_Is400WithReason(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(new Uri("/v1/search", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrEmpty((await response.ReadJsonAsync()).GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task Search_QueryTooLong_Is400()
    {
        using var response = await _client.PostAsJsonAsync("/v1/search", new { query = new string('q', 2_001) });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("MaxQueryLength", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"NEAR(a b\" * ^ -x AND OR NOT (")]
    [InlineData("col:value \"unbalanced")]
    public async Task Search_Fts5SyntaxInQuery_IsTreatedAsText(string query)
    {
        var body = await _client.PostJsonAsync("/v1/search", new { query, mode = "lexical" });
        Assert.Equal(JsonValueKindArray, body.GetProperty("results").ValueKind);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindArray = System.Text.Json.JsonValueKind.Array;

    [Fact]
    public async Task Job_UnknownId_Is404()
    {
        using var response = await _client.GetAsync(new Uri("/v1/ingest/jobs/nope", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var cancel = await _client.PostAsync(new Uri("/v1/ingest/jobs/nope/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
    }

    [Fact]
    public async Task Job_PathOutsideAllowedRoots_Is400()
    {
        var outsideFile = Path.Combine(_outside, "secret.txt");
        await File.WriteAllTextAsync(outsideFile, "The outsidepanther file.");
        var traversal = Path.Combine(_allowedRoot, "..", Path.GetFileName(_outside), "secret.txt");
        var link = Path.Combine(_allowedRoot, "link.txt");
        File.CreateSymbolicLink(link, outsideFile);

        foreach (var path in new[] { outsideFile, traversal, link, "/etc/passwd", "relative/path.txt" })
        {
            using var response = await _client.PostAsJsonAsync("/v1/ingest/jobs", new { paths = new[] { path }, acl = new[] { "public" } });
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode}");
        }

        var search = await _client.PostJsonAsync("/v1/search", new { query = "outsidepanther", mode = "lexical" });
        Assert.Equal(0, search.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task Job_ServerPathUnderAllowedRoot_IsIngested()
    {
        Directory.CreateDirectory(Path.Combine(_allowedRoot, "sub"));
        await File.WriteAllTextAsync(Path.Combine(_allowedRoot, "sub", "inside.md"), "# Inside\n\nThe insidegazelle guide.");
        using var response = await _client.PostAsJsonAsync("/v1/ingest/jobs", new { paths = new[] { _allowedRoot }, acl = new[] { "group:eng" } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var job = await _client.WaitForJobAsync((await response.ReadJsonAsync()).GetProperty("jobId").GetString()!);

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal("CPU", job.GetProperty("executionProvider").GetString());
        var search = await _client.PostJsonAsync("/v1/search", new { query = "insidegazelle", mode = "lexical" });
        Assert.Equal(1, search.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task PostDocument_InvalidAcl_Is400()
    {
        using var response = await _client.PostAsJsonAsync("/v1/documents", new { id = "x", text = "hello there", acl = new[] { "everyone" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var none = await _client.PostAsJsonAsync("/v1/documents", new { id = "x", text = "hello there", acl = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
    }

    private async Task AssertKeeperIntactAsync()
    {
        var search = await _client.PostJsonAsync("/v1/search", new { query = "steadfastolive", mode = "lexical" });
        var result = Assert.Single(search.GetProperty("results").EnumerateArray());
        Assert.Equal("keeper", result.GetProperty("documentId").GetString());
        using var document = await _client.GetAsync(new Uri("/v1/documents/keeper", UriKind.Relative));
        Assert.Equal(1, (await document.ReadJsonAsync()).GetProperty("version").GetInt32());
    }
}
