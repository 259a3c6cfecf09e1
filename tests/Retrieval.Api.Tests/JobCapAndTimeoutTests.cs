using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Core.Security;
using Retrieval.Onnx;

namespace Retrieval.Api.Tests;

/// <summary>The per-tenant cap on active ingestion jobs (Retrieval:Jobs) and the request timeout (Retrieval:Limits).</summary>
public sealed class JobCapAndTimeoutTests
{
    [Fact]
    public async Task SubmitJob_TenantAtActiveCap_Is429ProblemWithRetryAfter_UntilAJobEnds()
    {
        // No worker: submitted jobs stay queued, so the count is exactly what was submitted.
        using var factory = new RetrievalApiFactory(settings: new Dictionary<string, string?>
        {
            ["Retrieval:Worker:Enabled"] = "false",
            ["Retrieval:Jobs:MaxActivePerTenant"] = "2",
            ["Retrieval:Jobs:ActiveCapRetryAfter"] = "00:00:07",
        });
        using var alice = factory.ClientFor("alice", ["eng"], [RetrievalRoles.Ingestor]);
        using var bob = factory.ClientFor("bob", [], [RetrievalRoles.Ingestor]);
        var first = await SubmitAsync(alice, "one.txt", HttpStatusCode.Accepted);
        await SubmitAsync(bob, "two.txt", HttpStatusCode.Accepted);

        using (var refused = await PostJobAsync(alice, "three.txt"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("7", refused.Headers.GetValues("Retry-After").Single());
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await refused.ReadJsonAsync();
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
            Assert.Contains("Retrieval:Jobs:MaxActivePerTenant", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // The cap is per tenant: another tenant submits freely, and the refused job was not stored.
        using var other = factory.ClientFor("carol", [], [RetrievalRoles.Ingestor], tenant: "globex");
        await SubmitAsync(other, "four.txt", HttpStatusCode.Accepted);
        using var admin = factory.ClientFor("root", [], [RetrievalRoles.Ingestor, RetrievalRoles.Admin]);
        using var listed = await admin.GetAsync(new Uri("/v1/ingest/jobs", UriKind.Relative));
        Assert.Equal(2, (await listed.ReadJsonAsync()).GetProperty("jobs").GetArrayLength());

        // Cancelling a queued job frees a place.
        using var cancelled = await alice.PostAsync(new Uri($"/v1/ingest/jobs/{first}/cancel", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        await SubmitAsync(alice, "three.txt", HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Search_RunningPastRequestTimeout_Is504Problem()
    {
        using var factory = new HangingEmbeddingsFactory();
        using var client = factory.ClientFor("alice", ["eng"]);

        // The same host answers an ordinary search, so the 504 below comes from the timeout alone.
        using (var ok = await client.PostAsJsonAsync("/v1/search", new { query = "ordinary question", mode = "dense" }))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var response = await client.PostAsJsonAsync("/v1/search", new { query = $"{HangingEmbeddings.Marker} question", mode = "dense" });

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(504, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain(HangingEmbeddings.Marker, problem.GetRawText(), StringComparison.Ordinal);
    }

    private static async Task<string> SubmitAsync(HttpClient client, string name, HttpStatusCode expected)
    {
        using var response = await PostJobAsync(client, name);
        Assert.Equal(expected, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("jobId").GetString()!;
    }

    private static async Task<HttpResponseMessage> PostJobAsync(HttpClient client, string name)
    {
        using var content = new MultipartFormDataContent
        {
            { new ByteArrayContent("A short document for the job cap."u8.ToArray()), "files", name },
            { new StringContent("public"), "acl" },
        };
        return await client.PostAsync(new Uri("/v1/ingest/jobs", UriKind.Relative), content);
    }

    /// <summary>The real host with the smallest request timeout and an embedding generator that can be made to hang.</summary>
    private sealed class HangingEmbeddingsFactory() : RetrievalApiFactory(settings: new Dictionary<string, string?>
    {
        ["Retrieval:Limits:RequestTimeout"] = "00:00:01",
    })
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(
                sp => new HangingEmbeddings(sp.GetRequiredService<OnnxEmbeddingGenerator>())));
        }
    }

    /// <summary>
    /// The real generator, except that a text containing <see cref="Marker"/> waits until its request is cancelled:
    /// a deliberately slow request whose only way out is the request timeout (no timer measures anything).
    /// </summary>
    private sealed class HangingEmbeddings(IEmbeddingGenerator<string, Embedding<float>> inner)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public const string Marker = "hangs-until-cancelled";

        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToList();
            if (texts.Exists(t => t.Contains(Marker, StringComparison.Ordinal)))
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return await base.GenerateAsync(texts, options, cancellationToken);
        }
    }
}
