using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

/// <summary>
/// Hostile input at the API: a parse that never ends, upload names and job paths that try to leave their place, and
/// FTS5 syntax in queries. Each gets a result or a clear 4xx, the worker keeps going, and nothing stored changes.
/// (Corrupt files, oversized bodies and paths outside the allowed roots are in <see cref="BadInputTests"/>.)
/// </summary>
public sealed class HostileInputTests : IClassFixture<HostileInputTests.Host>
{
    private readonly HttpClient _client;
    private readonly string _allowedRoot;
    private readonly string _outside;

    public HostileInputTests(Host host)
    {
        _client = host.Client;
        _allowedRoot = host.AllowedRoot;
        _outside = host.Outside;
    }

    /// <summary>One service for the class (starting one per test costs seconds): every test leaves the keeper intact.</summary>
    public sealed class Host : IAsyncLifetime
    {
        public string AllowedRoot { get; } = Directory.CreateTempSubdirectory("retrieval-root-").FullName;

        public string Outside { get; } = Directory.CreateTempSubdirectory("retrieval-outside-").FullName;

        public HttpClient Client { get; private set; } = null!;

        private HangingParserFactory Factory { get; set; } = null!;

        public async Task InitializeAsync()
        {
            Factory = new HangingParserFactory(new Dictionary<string, string?>
            {
                ["Retrieval:Ingestion:ParseTimeout"] = "00:00:03", // a deadline the good files meet even on a cold, loaded machine
                ["Retrieval:Ingestion:AllowedRoots:0"] = AllowedRoot,
            });
            Client = Factory.ClientFor("alice", ["eng"], [RetrievalRoles.Reader, RetrievalRoles.Ingestor]);
            await Client.PostJsonAsync("/v1/documents", new { id = "keeper", text = "The steadfastolive archive keeps every record safe.", acl = new[] { "public" } }, HttpStatusCode.Created);
        }

        public Task DisposeAsync()
        {
            Client.Dispose();
            Factory.Dispose();
            Directory.Delete(AllowedRoot, true);
            Directory.Delete(Outside, true);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task UploadDocument_ParseThatNeverEnds_Is400NamingParseTimeout()
    {
        using var content = Upload("stuck.hang", "whatever"u8.ToArray());
        using var response = await _client.PostAsync(new Uri("/v1/documents", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ParseTimeout", (await response.ReadJsonAsync()).GetProperty("detail").GetString()!, StringComparison.Ordinal);
        await AssertKeeperIntactAsync();
    }

    [Fact]
    public async Task Job_ParseThatNeverEnds_FailsThatDocumentAndWorkerContinues()
    {
        using var content = new MultipartFormDataContent
        {
            { new ByteArrayContent("whatever"u8.ToArray()), "files", "stuck.hang" },
            { new ByteArrayContent("The tirelessotter memo is fine."u8.ToArray()), "files", "good.txt" },
            { new StringContent("public"), "acl" },
        };
        using var response = await _client.PostAsync(new Uri("/v1/ingest/jobs", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await _client.WaitForJobAsync((await response.ReadJsonAsync()).GetProperty("jobId").GetString()!);

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal(1, job.GetProperty("documents").GetProperty("failed").GetInt32());
        var error = Assert.Single(job.GetProperty("errors").EnumerateArray());
        Assert.Equal("stuck.hang", error.GetProperty("source").GetString());
        Assert.Contains("ParseTimeout", error.GetRawText(), StringComparison.Ordinal);
        var search = await _client.PostJsonAsync("/v1/search", new { query = "tirelessotter", mode = "lexical" });
        Assert.Equal(1, search.GetProperty("results").GetArrayLength());

        // The next job runs although the abandoned parse still holds its thread.
        using var nextContent = new MultipartFormDataContent
        {
            { new ByteArrayContent("The punctualheron note."u8.ToArray()), "files", "after.txt" },
            { new StringContent("public"), "acl" },
        };
        using var next = await _client.PostAsync(new Uri("/v1/ingest/jobs", UriKind.Relative), nextContent);
        var nextJob = await _client.WaitForJobAsync((await next.ReadJsonAsync()).GetProperty("jobId").GetString()!);
        Assert.Equal(1, nextJob.GetProperty("documents").GetProperty("succeeded").GetInt32());
    }

    public static TheoryData<string> TraversingNames() => new()
    {
        "../secret.txt",
        "notes/../../secret.txt",
        "..\\..\\windows\\secret.txt",
        "notes\\..\\..\\secret.txt",
        "./..",
        "/",
        "notes\u0000.txt",
        "notes\u001b[31m.txt",
    };

    [Theory]
    [MemberData(nameof(TraversingNames))]
    public async Task UploadDocument_TraversingOrControlCharacterName_Is400EvenWithExplicitId(string name)
    {
        using var withoutId = await PostRawUploadAsync("/v1/documents", "file", name, id: null);
        using var withId = await PostRawUploadAsync("/v1/documents", "file", name, id: "explicit-id");
        using var job = await PostRawUploadAsync("/v1/ingest/jobs", "files", name, id: null);

        Assert.Equal(HttpStatusCode.BadRequest, withoutId.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, withId.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, job.StatusCode);
        Assert.Equal("application/problem+json", withId.Content.Headers.ContentType?.MediaType);
        using var stored = await _client.GetAsync(new Uri("/v1/documents/explicit-id", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);
        await AssertKeeperIntactAsync();
    }

    [Fact]
    public async Task UploadDocument_AbsoluteOrWindowsStyleName_BecomesARelativeIdAndReadsNoFile()
    {
        using var absolute = Upload("/etc/hostname.txt", "The uploadedcontent is what counts."u8.ToArray());
        using var response = await _client.PostAsync(new Uri("/v1/documents", UriKind.Relative), absolute);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("etc/hostname.txt", (await response.ReadJsonAsync()).GetProperty("id").GetString());

        using var windows = Upload("C:\\Users\\bob\\notes.txt", "The windowsnamed upload."u8.ToArray());
        using var second = await _client.PostAsync(new Uri("/v1/documents", UriKind.Relative), windows);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal("C:/Users/bob/notes.txt", (await second.ReadJsonAsync()).GetProperty("id").GetString());

        var search = await _client.PostJsonAsync("/v1/search", new { query = "uploadedcontent windowsnamed", mode = "lexical" });
        Assert.Equal(2, search.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task Job_HostilePaths_Are400AndNothingOutsideTheRootIsRead()
    {
        await File.WriteAllTextAsync(Path.Combine(_outside, "secret.txt"), "The outsidelynx file.");
        Directory.CreateDirectory(Path.Combine(_allowedRoot, "docs"));
        await File.WriteAllTextAsync(Path.Combine(_allowedRoot, "docs", "inside.txt"), "The insidemarten file.");
        // A directory link inside the root that points out of it.
        Directory.CreateSymbolicLink(Path.Combine(_allowedRoot, "escape"), _outside);

        var hostile = new[]
        {
            Path.Combine(_allowedRoot, "docs") + "/../../" + Path.GetFileName(_outside) + "/secret.txt",
            Path.Combine(_allowedRoot, "escape", "secret.txt"),
            Path.Combine(_allowedRoot, "escape"),
            Path.Combine(_allowedRoot, "docs", "inside.txt\0.pdf"),
            _allowedRoot + "\\..\\" + Path.GetFileName(_outside) + "\\secret.txt",
            "C:\\Windows\\win.ini",
            "\\\\server\\share\\secret.txt",
            "file:///etc/passwd",
            "~/secret.txt",
        };
        foreach (var path in hostile)
        {
            using var response = await _client.PostAsJsonAsync("/v1/ingest/jobs", new { paths = new[] { path }, acl = new[] { "public" } });
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode}");
        }

        // The whole root is fine, and expanding it does not follow the link out.
        using var root = await _client.PostAsJsonAsync("/v1/ingest/jobs", new { paths = new[] { _allowedRoot }, acl = new[] { "public" } });
        Assert.Equal(HttpStatusCode.Accepted, root.StatusCode);
        var job = await _client.WaitForJobAsync((await root.ReadJsonAsync()).GetProperty("jobId").GetString()!);
        Assert.Equal(1, job.GetProperty("documents").GetProperty("succeeded").GetInt32());
        var inside = await _client.PostJsonAsync("/v1/search", new { query = "insidemarten", mode = "lexical" });
        Assert.Equal(1, inside.GetProperty("results").GetArrayLength());
        var outside = await _client.PostJsonAsync("/v1/search", new { query = "outsidelynx", mode = "lexical" });
        Assert.Equal(0, outside.GetProperty("results").GetArrayLength());
    }

    [Theory]
    [InlineData("NEAR(steadfastolive archive, 1)")]
    [InlineData("\"steadfastolive")]
    [InlineData("steadfastolive*")]
    [InlineData("^steadfastolive")]
    [InlineData("text:steadfastolive")]
    [InlineData("{text title}: steadfastolive")]
    [InlineData("(steadfastolive OR (archive")]
    [InlineData("steadfastolive AND NOT archive")]
    [InlineData("- steadfastolive + archive")]
    [InlineData("steadfastolive\u0000archive")]
    [InlineData("steadfastolive'; DROP TABLE chunks; --")]
    public async Task Search_Fts5SyntaxAroundAWord_FindsTheWordInEveryMode(string query)
    {
        foreach (var mode in new[] { "lexical", "hybrid" })
        {
            var body = await _client.PostJsonAsync("/v1/search", new { query, mode });
            Assert.Contains(body.GetProperty("results").EnumerateArray(), r => r.GetProperty("documentId").GetString() == "keeper");
        }
    }

    [Theory]
    [InlineData("NEAR")]
    [InlineData("AND OR NOT")]
    [InlineData("\"\"")]
    [InlineData("*")]
    [InlineData("(((")]
    [InlineData(":")]
    public async Task Search_OnlyFts5Syntax_IsEmptyNot500(string query)
    {
        var body = await _client.PostJsonAsync("/v1/search", new { query, mode = "lexical" });
        Assert.Equal(System.Text.Json.JsonValueKind.Array, body.GetProperty("results").ValueKind);
    }

    private static MultipartFormDataContent Upload(string name, byte[] bytes) => new()
    {
        { new ByteArrayContent(bytes), "file", name },
        { new StringContent("public"), "acl" },
    };

    /// <summary>A multipart body written by hand, so the file name reaches the server byte for byte (NUL and escapes included).</summary>
    private async Task<HttpResponseMessage> PostRawUploadAsync(string url, string field, string fileName, string? id)
    {
        const string Boundary = "hostile-boundary";
        var body = new StringBuilder();
        body.Append(CultureInfo(), $"--{Boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{fileName.Replace("\"", "%22", StringComparison.Ordinal)}\"\r\n");
        body.Append("Content-Type: text/plain\r\n\r\nThe sneakyferret text.\r\n");
        body.Append(CultureInfo(), $"--{Boundary}\r\nContent-Disposition: form-data; name=\"acl\"\r\n\r\npublic\r\n");
        if (id is not null)
        {
            body.Append(CultureInfo(), $"--{Boundary}\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n{id}\r\n");
        }

        body.Append(CultureInfo(), $"--{Boundary}--\r\n");
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToString()));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        return await _client.PostAsync(new Uri(url, UriKind.Relative), content);
    }

    private static System.Globalization.CultureInfo CultureInfo() => System.Globalization.CultureInfo.InvariantCulture;

    private async Task AssertKeeperIntactAsync()
    {
        var search = await _client.PostJsonAsync("/v1/search", new { query = "steadfastolive", mode = "lexical" });
        var result = Assert.Single(search.GetProperty("results").EnumerateArray());
        Assert.Equal("keeper", result.GetProperty("documentId").GetString());
        var sneaky = await _client.PostJsonAsync("/v1/search", new { query = "sneakyferret", mode = "lexical" });
        Assert.Equal(0, sneaky.GetProperty("results").GetArrayLength());
    }

    /// <summary>The real host plus a parser for ".hang" files that never returns and ignores cancellation.</summary>
    private sealed class HangingParserFactory(IReadOnlyDictionary<string, string?> settings) : RetrievalApiFactory(settings: settings)
    {
        private readonly HangingParser _parser = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<IDocumentParser>(_parser));
        }

        protected override void Dispose(bool disposing)
        {
            _parser.Release();
            base.Dispose(disposing);
        }
    }

    private sealed class HangingParser : IDocumentParser
    {
        private readonly ManualResetEventSlim _release = new();

        public IReadOnlyList<string> ContentTypes { get; } = ["application/x-hang"];

        public IReadOnlyList<string> Extensions { get; } = [".hang"];

        public ParsedDocument Parse(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            _release.Wait(CancellationToken.None); // like a library stuck in a loop: the token is never looked at
            throw new DocumentParseException("released");
        }

        public void Release() => _release.Set();
    }
}
