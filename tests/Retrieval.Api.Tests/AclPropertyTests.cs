using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CsCheck;
using Retrieval.Core.Security;
using Retrieval.Storage.Conformance;
using Xunit.Abstractions;

namespace Retrieval.Api.Tests;

/// <summary>
/// One random request: a caller, a query (often the exact canary word or entity name of a document it may not read, or
/// FTS5 syntax around one), a retrieval mode and topK, and which further endpoint to probe with it.
/// </summary>
public sealed record AclCase(WorldCaller Caller, string Query, string Mode, int TopK, AclProbe Probe, WorldDocument Target, WorldDocument Other, string Shared)
{
    public override string ToString() =>
        $"caller {Caller}; query '{Query}'; mode {Mode}; topK {TopK}; probe {Probe}; target {Target.Tenant}/{Target.Id} acl=[{string.Join(',', Target.Acl)}]";
}

public enum AclProbe
{
    Ask,
    AskStream,
    EntitySearch,
    EntityDetail,
    SharedEntity,
    Document,
    Jobs,
    SearchOnly,
}

/// <summary>
/// Property: whatever a caller asks, every byte of every response derives only from documents it may read — search
/// results in every mode, answers, citations, per-sentence support and streamed events, entity search and detail (names,
/// neighbours, counts, chunks), document reads (404 like a missing one), job lists and details, and error bodies. The
/// oracle is <see cref="AclWorld.MayRead(WorldCaller, WorldDocument)"/>, written independently of the product. It also
/// checks the other direction where it is exact (a readable canary is found lexically; dense returns min(topK, readable)
/// results; entity counts equal the readable documents that mention the entity), so over-blocking fails too.
/// </summary>
[Collection(AclPropertyCollection.Name)]
public sealed class AclPropertyTests
{
    /// <summary>Cases per run in CI (<c>CsCheck_Iter</c> overrides), spread over the worlds.</summary>
    public const int CiCases = 300;

    private readonly AclPropertyFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly ConcurrentDictionary<string, int> _checks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> _milliseconds = new(StringComparer.Ordinal);

    public AclPropertyTests(AclPropertyFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    [Fact]
    public async Task AnyCallerAnyQueryAnyMode_ResponsesDeriveOnlyFromReadableDocuments()
    {
        var total = PropertyRun.Cases(CiCases);
        var watch = Stopwatch.StartNew();
        var run = 0;
        foreach (var (world, seed) in _fixture.Worlds)
        {
            var cases = total / _fixture.Worlds.Count + (world.Number < total % _fixture.Worlds.Count ? 1 : 0);
            _output.WriteLine($"world {world.Number} (seed {seed}): tenants {string.Join(',', world.Tenants)}, {world.Documents.Count} documents, {world.Jobs.Count} jobs; {cases} cases");
            run += await PropertyRun.SweepAsync(CaseGenerator(world), _fixture.Master, cases, c => CheckAsync(world, c), c => c.ToString(), _output.WriteLine);
        }

        var summary = $"ACL property: run seed {PropertyRun.Seed}, {_fixture.Worlds.Count} worlds ({_fixture.IngestTime.TotalSeconds:F1} s to ingest), " +
            $"{run} cases, {_checks.Where(c => c.Key != "positive").Sum(c => c.Value)} HTTP checks ({string.Join(", ", _checks.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"))}) in {watch.Elapsed.TotalSeconds:F1} s";
        _output.WriteLine(summary);
        _output.WriteLine("time per probe: " + string.Join(", ", _milliseconds.Select(m => $"{m.Key} {m.Value / 1000:F1} s")));
        Console.WriteLine(summary);
        Assert.Equal(total, run);
        Assert.True(_checks.GetValueOrDefault("positive") > 0, "no case exercised a readable document (the harness would not notice over-blocking)");
    }

    private static Gen<AclCase> CaseGenerator(AclWorld world)
    {
        var docs = world.Documents;
        var caller = Gen.Select(
            Gen.Frequency((9, Gen.OneOf([.. world.Tenants])), (1, Gen.Const("stranger"))),
            Gen.OneOf([.. AclWorld.Users, "nobody"]),
            Gen.OneOf(AclWorld.Groups).Array[0, 3],
            Gen.Frequency(
                (10, Gen.Const<string[]>([RetrievalRoles.Reader])),
                (2, Gen.Const<string[]>([RetrievalRoles.Reader, RetrievalRoles.Ingestor])),
                (2, Gen.Const<string[]>([RetrievalRoles.Ingestor])),
                (2, Gen.Const<string[]>([RetrievalRoles.Admin])),
                (1, Gen.Const<string[]>([]))),
            (tenant, user, groups, roles) => new WorldCaller(tenant, user, [.. groups.Distinct()], roles));
        var topK = Gen.Frequency((12, Gen.OneOf(1, 3, 5, 10, 20)), (1, Gen.OneOf(0, 101)));
        return Gen.Select(
            caller, Gen.Int[0, docs.Count - 1], Gen.Int[0, docs.Count - 1], Gen.Int[0, 9], Gen.OneOf(AclWorld.Modes), topK,
            // An answer costs about 25 searches (it embeds every source sentence), so asks are 3 % of the cases.
            Gen.Frequency(
                (2, Gen.Const(AclProbe.Ask)), (1, Gen.Const(AclProbe.AskStream)), (15, Gen.Const(AclProbe.EntitySearch)), (15, Gen.Const(AclProbe.EntityDetail)),
                (15, Gen.Const(AclProbe.SharedEntity)), (15, Gen.Const(AclProbe.Document)), (10, Gen.Const(AclProbe.Jobs)), (27, Gen.Const(AclProbe.SearchOnly))),
            Gen.OneOf(AclWorld.SharedEntities),
            (who, target, other, kind, mode, k, probe, shared) =>
            {
                var t = docs[target];
                var o = docs[other];
                var query = kind switch
                {
                    0 or 1 or 2 => t.Canary,
                    3 => t.Entity,
                    4 => $"Who works with the {t.Entity} on {t.Canary}?",
                    5 => $"{t.Canary} {o.Canary}",
                    6 => world.Jobs.Count > 0 ? world.Jobs[target % world.Jobs.Count].Canary : t.Canary,
                    7 => (target % 5) switch
                    {
                        0 => t.Canary[..5] + "*",
                        1 => $"\"{t.Canary}\" OR zq*",
                        2 => $"NEAR({t.Canary} budget)",
                        3 => $"{t.Canary}^2 -{o.Canary}",
                        _ => $"{{title}}: {t.Canary}",
                    },
                    8 => $"Who works with {shared}?",
                    _ => "procedure budget review people approve",
                };
                return new AclCase(who, query, mode, k, probe, t, o, shared);
            });
    }

    private async Task CheckAsync(AclWorld world, AclCase c)
    {
        var caller = c.Caller;
        var forbidden = world.ForbiddenWords(caller);
        var readable = world.Documents.Where(d => AclWorld.MayRead(caller, d)).ToList();
        using var client = _fixture.Factory.ClientFor(caller.User, [.. caller.Groups], [.. caller.Roles], caller.Tenant);

        var watch = Stopwatch.StartNew();
        await CheckSearchAsync(client, c, forbidden, readable);
        _milliseconds.AddOrUpdate("search " + c.Mode, watch.Elapsed.TotalMilliseconds, (_, v) => v + watch.Elapsed.TotalMilliseconds);
        watch.Restart();
        switch (c.Probe)
        {
            case AclProbe.Ask:
            case AclProbe.AskStream:
                await CheckAskAsync(client, c, forbidden, readable, stream: c.Probe == AclProbe.AskStream);
                break;
            case AclProbe.EntitySearch:
                await CheckEntitySearchAsync(client, c, forbidden, readable);
                break;
            case AclProbe.EntityDetail:
                await CheckEntityDetailAsync(client, c, forbidden, readable);
                break;
            case AclProbe.SharedEntity:
                await CheckSharedEntityAsync(client, c, forbidden, readable);
                break;
            case AclProbe.Document:
                await CheckDocumentAsync(client, world, c, forbidden);
                break;
            case AclProbe.Jobs:
                await CheckJobsAsync(client, world, c, forbidden);
                break;
            default:
                break;
        }

        _milliseconds.AddOrUpdate(c.Probe.ToString(), watch.Elapsed.TotalMilliseconds, (_, v) => v + watch.Elapsed.TotalMilliseconds);
    }

    private async Task CheckSearchAsync(HttpClient client, AclCase c, IReadOnlyList<string> forbidden, List<WorldDocument> readable)
    {
        using var response = await client.PostAsJsonAsync("/v1/search", new { query = c.Query, topK = c.TopK, mode = c.Mode }, RetrievalApiFactory.Json);
        var text = await Read(response, "search", c, forbidden);
        if (!c.Caller.Has(RetrievalRoles.Reader))
        {
            Expect(HttpStatusCode.Forbidden, response, text, c);
            return;
        }

        if (c.TopK is < 1 or > 100)
        {
            Expect(HttpStatusCode.BadRequest, response, text, c);
            return;
        }

        Expect(HttpStatusCode.OK, response, text, c);
        var results = JsonDocument.Parse(text).RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("documentId").GetString()!).ToList();
        Assert.True(results.All(id => readable.Any(d => d.Id == id)), $"unreadable document id in {string.Join(',', results)} for {c}");
        var single = readable.FirstOrDefault(d => d.Canary == c.Query);
        if (c.Mode == "lexical" && single is not null)
        {
            Assert.True(results.FirstOrDefault() == single.Id, $"lexical search for a readable canary did not rank its document first: {text} for {c}");
            Count("positive");
        }
        else if (c.Mode == "lexical" && c.Query == c.Target.Canary)
        {
            Assert.True(results.Count == 0, $"lexical search for an unreadable canary returned {results.Count} results for {c}");
        }

        if (c.Mode == "dense")
        {
            Assert.True(results.Count == Math.Min(c.TopK, readable.Count), $"dense returned {results.Count} results, expected min({c.TopK}, {readable.Count}) for {c}");
            Count("positive");
        }
    }

    private async Task CheckAskAsync(HttpClient client, AclCase c, IReadOnlyList<string> forbidden, List<WorldDocument> readable, bool stream)
    {
        var question = $"What is the {c.Query} procedure?";
        using var response = await client.PostAsJsonAsync("/v1/ask", new { question, stream, topK = 3 }, RetrievalApiFactory.Json);
        var text = await Read(response, stream ? "ask-stream" : "ask", c, forbidden);
        if (!c.Caller.Has(RetrievalRoles.Reader))
        {
            Expect(HttpStatusCode.Forbidden, response, text, c);
            return;
        }

        Expect(HttpStatusCode.OK, response, text, c);
        var final = stream ? FinalEvent(text, c) : JsonDocument.Parse(text).RootElement;
        foreach (var citation in final.GetProperty("citations").EnumerateArray())
        {
            var id = citation.GetProperty("documentId").GetString();
            Assert.True(readable.Any(d => d.Id == id), $"ask cited unreadable document {id} for {c}");
        }
    }

    private static JsonElement FinalEvent(string sse, AclCase c)
    {
        var blocks = sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var final = blocks.LastOrDefault(b => b.StartsWith("event: final", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no final event in the stream for {c}: {sse}");
        var data = string.Concat(final.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l["data: ".Length..]));
        return JsonDocument.Parse(data).RootElement;
    }

    private async Task CheckEntitySearchAsync(HttpClient client, AclCase c, IReadOnlyList<string> forbidden, List<WorldDocument> readable)
    {
        using var response = await client.GetAsync(new Uri($"/v1/graph/entities?limit=100&query={Uri.EscapeDataString(c.Query)}", UriKind.Relative));
        var text = await Read(response, "entity-search", c, forbidden);
        if (!c.Caller.Has(RetrievalRoles.Reader))
        {
            Expect(HttpStatusCode.Forbidden, response, text, c);
            return;
        }

        Expect(HttpStatusCode.OK, response, text, c);
        if (c.Query == c.Target.Entity && readable.Contains(c.Target))
        {
            Assert.Contains(c.Target.Entity, text, StringComparison.Ordinal);
            Count("positive");
        }
    }

    private async Task CheckEntityDetailAsync(HttpClient client, AclCase c, IReadOnlyList<string> forbidden, List<WorldDocument> readable)
    {
        // The entity's id in the caller's tenant, and its id in the document's own tenant (another tenant's id must be a 404).
        foreach (var tenant in new[] { c.Caller.Tenant, c.Target.Tenant }.Distinct())
        {
            var id = AclWorld.EntityId(tenant, c.Target.Entity);
            using var response = await client.GetAsync(new Uri($"/v1/graph/entities/{id}?neighbors=200&chunks=200", UriKind.Relative));
            var text = await Read(response, "entity-detail", c, forbidden);
            if (!c.Caller.Has(RetrievalRoles.Reader))
            {
                Expect(HttpStatusCode.Forbidden, response, text, c);
                return;
            }

            if (tenant == c.Target.Tenant && readable.Contains(c.Target))
            {
                Expect(HttpStatusCode.OK, response, text, c);
                var entity = JsonDocument.Parse(text).RootElement.GetProperty("entity");
                Assert.Equal(c.Target.Entity, entity.GetProperty("name").GetString());
                Assert.Equal(1, entity.GetProperty("chunks").GetInt32());
                Count("positive");
            }
            else
            {
                Expect(HttpStatusCode.NotFound, response, text, c);
            }
        }
    }

    private async Task CheckSharedEntityAsync(HttpClient client, AclCase c, IReadOnlyList<string> forbidden, List<WorldDocument> readable)
    {
        var mentioning = readable.Count(d => d.Shared.Contains(c.Shared));
        using var response = await client.GetAsync(new Uri($"/v1/graph/entities/{AclWorld.EntityId(c.Caller.Tenant, c.Shared)}?neighbors=200&chunks=200", UriKind.Relative));
        var text = await Read(response, "shared-entity", c, forbidden);
        if (!c.Caller.Has(RetrievalRoles.Reader))
        {
            Expect(HttpStatusCode.Forbidden, response, text, c);
            return;
        }

        if (mentioning == 0)
        {
            Expect(HttpStatusCode.NotFound, response, text, c);
            return;
        }

        Expect(HttpStatusCode.OK, response, text, c);
        var detail = JsonDocument.Parse(text).RootElement;
        Assert.True(mentioning == detail.GetProperty("entity").GetProperty("chunks").GetInt32(), $"{c.Shared}: chunk count is not the {mentioning} readable mentions: {text} for {c}");
        Assert.Equal(mentioning, detail.GetProperty("chunkIds").GetArrayLength());
        Count("positive");
    }

    private async Task CheckDocumentAsync(HttpClient client, AclWorld world, AclCase c, IReadOnlyList<string> forbidden)
    {
        using var response = await client.GetAsync(new Uri($"/v1/documents/{c.Target.Id}", UriKind.Relative));
        var text = await Read(response, "document", c, forbidden);
        if (!c.Caller.Has(RetrievalRoles.Reader) && !c.Caller.Has(RetrievalRoles.Ingestor))
        {
            Expect(HttpStatusCode.Forbidden, response, text, c);
            return;
        }

        var visible = world.Documents.FirstOrDefault(d => d.Tenant == c.Caller.Tenant && d.Id == c.Target.Id && AclWorld.MayRead(c.Caller, d));
        if (visible is not null)
        {
            Expect(HttpStatusCode.OK, response, text, c);
            Assert.Contains($"\"tenant\":\"{visible.Tenant}\"", text, StringComparison.Ordinal);
            if (!visible.ViaJob)
            {
                Assert.Contains(visible.Canary, text, StringComparison.Ordinal); // in the title
            }

            Count("positive");
        }
        else
        {
            // Exactly what a missing id gets: the same status and the same detail.
            Expect(HttpStatusCode.NotFound, response, text, c);
            Assert.Equal($"Document '{c.Target.Id}' was not found.", JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString());
        }
    }

    private async Task CheckJobsAsync(HttpClient client, AclWorld world, AclCase c, IReadOnlyList<string> forbidden)
    {
        using var list = await client.GetAsync(new Uri("/v1/ingest/jobs?limit=100", UriKind.Relative));
        var listText = await Read(list, "job-list", c, forbidden);
        if (!c.Caller.Has(RetrievalRoles.Ingestor))
        {
            Expect(HttpStatusCode.Forbidden, list, listText, c);
            return;
        }

        Expect(HttpStatusCode.OK, list, listText, c);
        foreach (var job in world.Jobs)
        {
            using var response = await client.GetAsync(new Uri($"/v1/ingest/jobs/{job.Id}", UriKind.Relative));
            var text = await Read(response, "job-detail", c, forbidden);
            if (AclWorld.MaySee(c.Caller, job))
            {
                Expect(HttpStatusCode.OK, response, text, c);
                Assert.Contains(job.Canary, text, StringComparison.Ordinal);
                Assert.Contains(job.Id, listText, StringComparison.Ordinal);
                Count("positive");
            }
            else
            {
                Expect(HttpStatusCode.NotFound, response, text, c);
                Assert.DoesNotContain(job.Id, listText, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>Reads a response body and fails when it contains any word derived from what the caller may not read.</summary>
    private async Task<string> Read(HttpResponseMessage response, string kind, AclCase c, IReadOnlyList<string> forbidden)
    {
        var text = await response.Content.ReadAsStringAsync();
        Count(kind);
        foreach (var word in forbidden)
        {
            var at = text.IndexOf(word, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                throw new Xunit.Sdk.XunitException(
                    $"LEAK: {kind} ({(int)response.StatusCode}) returned '{word}' to {c}: …{text[Math.Max(0, at - 200)..Math.Min(text.Length, at + 200)]}…");
            }
        }

        return text;
    }

    private static void Expect(HttpStatusCode expected, HttpResponseMessage response, string text, AclCase c) =>
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode} for {c}: {text}");

    private void Count(string kind) => _checks.AddOrUpdate(kind, 1, (_, n) => n + 1);
}
