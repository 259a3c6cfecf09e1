using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

public sealed class RateLimitAndAuditTests
{
    [Fact]
    public async Task Search_OverPerUserLimit_Is429WithRetryAfter_OtherUsersUnaffected()
    {
        using var factory = new RetrievalApiFactory(settings: new Dictionary<string, string?> { ["Retrieval:RateLimits:PerUserPerMinute"] = "3" });
        using var alice = factory.ClientFor("alice", ["eng"]);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6; i++)
        {
            var response = await alice.PostAsJsonAsync("/v1/search", new { query = "anything", mode = "lexical" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited ??= response;
            }
        }

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.NotNull(limited);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(429, (await limited.ReadJsonAsync()).GetProperty("status").GetInt32());

        using var bob = factory.ClientFor("bob", []);
        using var ok = await bob.PostAsJsonAsync("/v1/search", new { query = "anything", mode = "lexical" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);

        using var anonymous = factory.CreateClient();
        for (var i = 0; i < 6; i++)
        {
            using var health = await anonymous.GetAsync(new Uri("/health/live", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }

    [Fact]
    public async Task Search_OverPerTenantLimit_Is429ForEveryoneInTenantOnly()
    {
        using var factory = new RetrievalApiFactory(settings: new Dictionary<string, string?> { ["Retrieval:RateLimits:PerTenantPerMinute"] = "4" });
        var codes = new List<HttpStatusCode>();
        foreach (var user in new[] { "a", "b", "c", "d", "e", "f" })
        {
            using var client = factory.ClientFor(user, []);
            using var response = await client.PostAsJsonAsync("/v1/search", new { query = "x y z", mode = "lexical" });
            codes.Add(response.StatusCode);
        }

        Assert.Equal(4, codes.Count(c => c == HttpStatusCode.OK));
        Assert.Equal(2, codes.Count(c => c == HttpStatusCode.TooManyRequests));
        using var other = factory.ClientFor("g", [], tenant: "other-tenant");
        using var fine = await other.PostAsJsonAsync("/v1/search", new { query = "x y z", mode = "lexical" });
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }

    [Fact]
    public async Task Audit_RecordsWhoAndWhichDocuments_ButNeverTheQueryText()
    {
        var sink = new AuditSink();
        using var factory = new CapturingFactory(sink, includeQueryText: false);
        using var client = factory.ClientFor("alice", ["eng"], [RetrievalRoles.Reader, RetrievalRoles.Ingestor]);
        await client.PostJsonAsync("/v1/documents", new { id = "audited-doc", text = "The auditpelican ledger lists every change.", acl = new[] { "group:eng" } }, HttpStatusCode.Created);
        await client.PostJsonAsync("/v1/search", new { query = "secretquerytext auditpelican", mode = "lexical" });
        using var delete = await client.DeleteAsync(new Uri("/v1/documents/audited-doc", UriKind.Relative));
        using var bad = factory.CreateClient();
        bad.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not.a.token");
        using var rejected = await bad.PostAsJsonAsync("/v1/search", new { query = "x" });

        var events = sink.Messages.ToList();
        Assert.Contains(events, e => e.Contains("audit ingest tenant=acme user=alice document=audited-doc version=1", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Contains("audit search tenant=acme user=alice mode=lexical results=1 documents=audited-doc", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Contains("audit delete tenant=acme user=alice document=audited-doc", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Contains("audit token rejected", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e.Contains("secretquerytext", StringComparison.Ordinal));
        Assert.DoesNotContain(events, e => e.Contains("ledger lists", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Audit_StreamedAskAndJobIngestion_AreRecorded()
    {
        var sink = new AuditSink();
        using var factory = new CapturingFactory(sink, includeQueryText: false);
        using var client = factory.ClientFor("alice", ["eng"], [RetrievalRoles.Reader, RetrievalRoles.Ingestor]);
        using var upload = new MultipartFormDataContent
        {
            { new ByteArrayContent("The jobheron manual explains how herons are audited by the jobheron team."u8.ToArray()), "files", "jobheron.txt" },
            { new StringContent("group:eng"), "acl" },
        };
        using var submitted = await client.PostAsync(new Uri("/v1/ingest/jobs", UriKind.Relative), upload);
        var job = await client.WaitForJobAsync((await submitted.ReadJsonAsync()).GetProperty("jobId").GetString()!);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());

        using var stream = await client.PostAsJsonAsync("/v1/ask", new { question = "What does the jobheron manual explain?", stream = true });
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        _ = await stream.Content.ReadAsStringAsync();

        Assert.Contains(sink.Messages, e => e.Contains("audit ingest tenant=acme user=alice document=jobheron.txt version=1", StringComparison.Ordinal));
        Assert.Contains(sink.Messages, e => e.StartsWith("audit ask tenant=acme user=alice", StringComparison.Ordinal) && e.Contains("jobheron.txt", StringComparison.Ordinal));
        Assert.Contains(sink.Messages, e => e.StartsWith("audit job submitted tenant=acme user=alice", StringComparison.Ordinal));
        Assert.DoesNotContain(sink.Messages, e => e.Contains("What does the jobheron manual explain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Audit_IncludeQueryText_WhenSwitchedOn()
    {
        var sink = new AuditSink();
        using var factory = new CapturingFactory(sink, includeQueryText: true);
        using var client = factory.ClientFor("alice", ["eng"]);
        await client.PostJsonAsync("/v1/search", new { query = "visiblequerytext", mode = "lexical" });

        Assert.Contains(sink.Messages, e => e.Contains("query=visiblequerytext", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Audit_DeniedOperation_IsRecorded()
    {
        var sink = new AuditSink();
        using var factory = new CapturingFactory(sink, includeQueryText: false);
        using var reader = factory.ClientFor("alice", ["eng"], [RetrievalRoles.Reader]);
        using var response = await reader.GetAsync(new Uri("/v1/ingest/jobs/some-id", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        // The route policy rejects before the use case runs; a use case called directly (CLI, worker) audits denials itself.
        Assert.DoesNotContain(sink.Messages, e => e.Contains("some-id", StringComparison.Ordinal));
    }

    private sealed class CapturingFactory : RetrievalApiFactory
    {
        private readonly AuditSink _sink;

        public CapturingFactory(AuditSink sink, bool includeQueryText)
            : base(settings: new Dictionary<string, string?> { ["Retrieval:Audit:IncludeQueryText"] = includeQueryText ? "true" : "false" }) => _sink = sink;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(_sink));
        }
    }

    private sealed class AuditSink : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => categoryName == "Retrieval.Audit" ? new Sink(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
        }

        private sealed class Sink(AuditSink owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Messages.Enqueue(formatter(state, exception));
        }
    }
}
