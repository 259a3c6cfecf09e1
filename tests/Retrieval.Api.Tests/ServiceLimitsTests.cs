using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Core.Security;
using Retrieval.Onnx;

namespace Retrieval.Api.Tests;

/// <summary>
/// The per-tenant cap on active ingestion jobs (Retrieval:Jobs), the request timeout (Retrieval:Limits) and the
/// concurrency limit on expensive requests (Retrieval:RateLimits).
/// </summary>
public sealed class ServiceLimitsTests
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

        using var response = await client.PostAsJsonAsync("/v1/search", new { query = $"{HangingEmbeddings.Marker} question", mode = "dense" });

        // The 504 comes from the timeout: it cancelled the embedding the request was waiting on. (Not from a first
        // "ordinary" search on this host: that one loads the model under the same 1 s limit, which a cold machine misses.)
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.True(factory.Embeddings.Cancelled.Task.IsCompleted, "the request timeout cancelled the embedding it was waiting on");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(504, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain(HangingEmbeddings.Marker, problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_OverConcurrencyLimit_Is429WithRetryAfter_AndAdmittedAgainOnceASlotFrees()
    {
        using var factory = new HangingEmbeddingsFactory(new Dictionary<string, string?>
        {
            ["Retrieval:RateLimits:MaxConcurrentQueries"] = "1",
            ["Retrieval:RateLimits:ConcurrencyQueueLimit"] = "0",
        });
        using var alice = factory.ClientFor("alice", ["eng"]);
        using var bob = factory.ClientFor("bob", []);
        var embeddings = factory.Embeddings;

        // Alice's search holds the only slot until the test lets its embedding finish.
        var holding = alice.PostAsJsonAsync("/v1/search", new { query = $"{HangingEmbeddings.Marker} question", mode = "dense" });
        await embeddings.Entered.Task.WaitAsync(TimeSpan.FromMinutes(2));

        using (var refused = await bob.PostAsJsonAsync("/v1/search", new { query = "ordinary question", mode = "dense" }))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
            Assert.Equal(429, (await refused.ReadJsonAsync()).GetProperty("status").GetInt32());
        }

        // Cheap routes are not limited.
        using (var jobs = await bob.GetAsync(new Uri("/v1/ingest/jobs", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        }

        embeddings.Release.SetResult();
        using (var held = await holding)
        {
            Assert.Equal(HttpStatusCode.OK, held.StatusCode);
        }

        using var admitted = await bob.PostAsJsonAsync("/v1/search", new { query = "ordinary question", mode = "dense" });
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
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

    /// <summary>The real host (by default with the smallest request timeout) and an embedding generator that can be made to hang.</summary>
    private sealed class HangingEmbeddingsFactory(IReadOnlyDictionary<string, string?>? settings = null)
        : RetrievalApiFactory(settings: settings ?? new Dictionary<string, string?> { ["Retrieval:Limits:RequestTimeout"] = "00:00:01" })
    {
        public HangingEmbeddings Embeddings => (HangingEmbeddings)Services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(
                sp => new HangingEmbeddings(sp.GetRequiredService<OnnxEmbeddingGenerator>())));
        }
    }

    /// <summary>
    /// The real generator, except that a text containing <see cref="Marker"/> signals <see cref="Entered"/> and waits
    /// for <see cref="Release"/> or for its request to be cancelled: a deliberately slow request, without timers.
    /// </summary>
    internal sealed class HangingEmbeddings(IEmbeddingGenerator<string, Embedding<float>> inner)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public const string Marker = "hangs-until-cancelled";

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completed when a waiting call saw its request cancelled (the request timeout, or the client going away).</summary>
        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToList();
            if (texts.Exists(t => t.Contains(Marker, StringComparison.Ordinal)))
            {
                Entered.TrySetResult();
                try
                {
                    await Release.Task.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Cancelled.TrySetResult();
                    throw;
                }
            }

            return await base.GenerateAsync(texts, options, cancellationToken);
        }
    }
}
