using System.Diagnostics;
using System.Net;
using CsCheck;
using Retrieval.Core.Security;
using Retrieval.Storage.Conformance;

namespace Retrieval.Api.Tests;

/// <summary>
/// The worlds of <see cref="AclPropertyTests"/>: generated from <see cref="PropertyRun.Seed"/> and ingested once, through
/// the REST API (single documents and multipart jobs), into one service (real SQLite store and embedding model). Each
/// world lives in tenants of its own, so the worlds do not see each other.
/// </summary>
public sealed class AclPropertyFixture : IAsyncLifetime
{
    /// <summary>Worlds per run: <c>RETRIEVAL_ACL_WORLDS</c> when set, else 2.</summary>
    public static int WorldCount =>
        int.TryParse(Environment.GetEnvironmentVariable("RETRIEVAL_ACL_WORLDS"), out var n) && n > 0 ? n : 2;

    public RetrievalApiFactory Factory { get; } = new();

    public List<(AclWorld World, string Seed)> Worlds { get; } = [];

    public PCG Master { get; } = PropertyRun.Master(PropertyRun.Seed);

    public TimeSpan IngestTime { get; private set; }

    public async Task InitializeAsync()
    {
        var watch = Stopwatch.StartNew();
        for (var number = 0; number < WorldCount; number++)
        {
            var (world, seed) = AclWorld.Generator(number).Next(Master);
            await IngestAsync(world);
            Worlds.Add((world, seed));
        }

        IngestTime = watch.Elapsed;
    }

    private async Task IngestAsync(AclWorld world)
    {
        foreach (var document in world.Documents.Where(d => !d.ViaJob))
        {
            using var loader = Factory.ClientFor("loader", [], [RetrievalRoles.Admin], document.Tenant);
            var created = await loader.PostJsonAsync(
                "/v1/documents",
                new { id = document.Id, title = "About " + document.Canary, text = document.Text, contentType = "text/markdown", acl = document.Acl },
                HttpStatusCode.Created);
            Assert.Equal(1, created.GetProperty("chunks").GetInt32()); // the count oracles assume one chunk per document
        }

        foreach (var job in world.Jobs)
        {
            using var submitter = Factory.ClientFor(job.Submitter, [], [RetrievalRoles.Ingestor], job.Tenant);
            using var content = new MultipartFormDataContent();
            foreach (var document in job.Documents)
            {
                content.Add(new StringContent(document.Text), "files", document.Id);
            }

            content.Add(new ByteArrayContent("%PDF-1.7 this is not a PDF"u8.ToArray()), "files", job.BrokenFileName);
            content.Add(new StringContent(string.Join(',', job.Acl)), "acl");
            using var submitted = await submitter.PostAsync(new Uri("/v1/ingest/jobs", UriKind.Relative), content);
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            job.Id = (await submitted.ReadJsonAsync()).GetProperty("jobId").GetString()!;
            var done = await submitter.WaitForJobAsync(job.Id);
            Assert.Equal(job.Documents.Count, done.GetProperty("documents").GetProperty("succeeded").GetInt32());
            Assert.Equal(job.Documents.Count, done.GetProperty("chunks").GetInt64());
            Assert.Contains(job.Canary, done.GetRawText(), StringComparison.Ordinal); // the broken file's error names it
        }
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class AclPropertyCollection : ICollectionFixture<AclPropertyFixture>
{
    public const string Name = "acl property worlds";
}
