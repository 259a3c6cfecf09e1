using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Retrieval.CrashHarness;

/// <summary>
/// Checks through the restarted service what its clients see: acknowledged jobs finish (and their documents become
/// acknowledged), every acknowledged document is readable (GET, with its version and chunk count) and searchable
/// (a lexical search for one of its marker words finds it, and a dense search with the found chunk's text finds that
/// chunk, which exercises the vector index rebuilt at start-up), and acknowledged deletes stay deleted.
/// </summary>
internal sealed class ApiVerifier
{
    private const int TopK = 5;

    private readonly IReadOnlyDictionary<int, HttpClient> clients;
    private readonly Findings findings;

    public ApiVerifier(IReadOnlyDictionary<int, HttpClient> clients, Findings findings)
    {
        this.clients = clients;
        this.findings = findings;
    }

    public int DocumentsVerified { get; private set; }

    /// <summary>Asks for every unfinished acknowledged job's state; returns how many are still queued or running.</summary>
    public async Task<int> PollJobsAsync(Ledger ledger, int cycle, CancellationToken cancellationToken)
    {
        var pending = 0;
        foreach (var job in ledger.Jobs.Where(j => j.Outcome == JobOutcome.Pending))
        {
            using var response = await clients[job.Client].GetAsync(new Uri($"v1/ingest/jobs/{job.Id}", UriKind.Relative), cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                findings.Loss($"cycle {cycle}: acknowledged job {job.Id} answers 404");
                job.Outcome = JobOutcome.Failed;
                continue;
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                findings.Violation($"cycle {cycle}: GET job {job.Id} answered {(int)response.StatusCode}");
                continue;
            }

            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var root = body.RootElement;
            job.Attempts = root.GetProperty("attempts").GetInt32();
            switch (root.GetProperty("state").GetString())
            {
                case "queued" or "running":
                    pending++;
                    break;
                case "succeeded":
                    job.Outcome = JobOutcome.Succeeded;
                    var documents = root.GetProperty("documents");
                    if (documents.GetProperty("failed").GetInt32() != 0 || documents.GetProperty("succeeded").GetInt32() != job.Documents.Count)
                    {
                        findings.Violation($"cycle {cycle}: job {job.Id} succeeded with documents {documents}: errors {root.GetProperty("errors")}");
                    }

                    foreach (var (doc, version) in job.Documents)
                    {
                        if (doc.Candidates is null && doc.Known is { Present: true } seen && seen.Markers.SequenceEqual(version.Markers))
                        {
                            doc.Acknowledged = true; // a store check already saw it committed
                            doc.ChangedCycle = cycle;
                            continue;
                        }

                        doc.Candidates ??= [DocVersion.Absent, version];
                        doc.Settle(version, acknowledged: true, cycle);
                    }

                    break;
                default:
                    job.Outcome = JobOutcome.Failed;
                    findings.Violation(string.Create(CultureInfo.InvariantCulture,
                        $"cycle {cycle}: job {job.Id} ended {root.GetProperty("state").GetString()} after {job.Attempts} attempts: {root.GetProperty("lastError")}"));
                    break;
            }
        }

        return pending;
    }

    /// <summary>Verifies <paramref name="docs"/> (certain states only), a few at a time.</summary>
    public async Task VerifyAsync(IReadOnlyList<TrackedDoc> docs, int seed, int cycle, int parallelism, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(
            docs.Select((doc, i) => (doc, i)),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                var random = new Random(CrashRun.ClientSeed(seed, cycle, item.i));
                if (item.doc.Known is { Present: true } present)
                {
                    await VerifyPresentAsync(item.doc, present, random, cycle, ct);
                }
                else if (item.doc.Known is { Present: false })
                {
                    await VerifyAbsentAsync(item.doc, cycle, ct);
                }
            });
        DocumentsVerified += docs.Count;
    }

    private async Task VerifyPresentAsync(TrackedDoc doc, DocVersion expected, Random random, int cycle, CancellationToken cancellationToken)
    {
        var http = clients[doc.Client];
        using (var response = await http.GetAsync(new Uri($"v1/documents/{doc.Id}", UriKind.Relative), cancellationToken))
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Record(doc, response.StatusCode == HttpStatusCode.NotFound, $"cycle {cycle}: GET {doc.Tenant}/{doc.Id} answered {(int)response.StatusCode}");
                return;
            }

            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var version = body.RootElement.GetProperty("version").GetInt32();
            var chunks = body.RootElement.GetProperty("chunks").GetInt32();
            if ((expected.Version is { } v && v != version) || (expected.Chunks is { } c && c != chunks) || chunks == 0)
            {
                Record(doc, true, string.Create(CultureInfo.InvariantCulture,
                    $"cycle {cycle}: GET {doc.Tenant}/{doc.Id}: version {version}, chunks {chunks}; expected {expected.Version?.ToString(CultureInfo.InvariantCulture) ?? "?"}, {expected.Chunks?.ToString(CultureInfo.InvariantCulture) ?? "?"}"));
                return;
            }
        }

        var marker = expected.Markers[random.Next(expected.Markers.Count)];
        var lexical = await SearchAsync(http, marker, "lexical", cancellationToken);
        var hit = lexical.FirstOrDefault(h => h.DocumentId == doc.Id && h.Text.Contains(marker, StringComparison.Ordinal));
        if (hit is null)
        {
            Record(doc, true, $"cycle {cycle}: lexical search for '{marker}' does not find {doc.Tenant}/{doc.Id} (got {string.Join(", ", lexical.Select(h => h.DocumentId))})");
            return;
        }

        var dense = await SearchAsync(http, hit.Text, "dense", cancellationToken);
        if (!dense.Any(h => h.ChunkId == hit.ChunkId))
        {
            Record(doc, true, $"cycle {cycle}: dense search with the text of chunk {hit.ChunkId} does not find it ({doc.Tenant}/{doc.Id}; got {string.Join(", ", dense.Select(h => h.DocumentId))})");
        }
    }

    private async Task VerifyAbsentAsync(TrackedDoc doc, int cycle, CancellationToken cancellationToken)
    {
        var http = clients[doc.Client];
        using (var response = await http.GetAsync(new Uri($"v1/documents/{doc.Id}", UriKind.Relative), cancellationToken))
        {
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                Record(doc, response.StatusCode == HttpStatusCode.OK, $"cycle {cycle}: deleted {doc.Tenant}/{doc.Id}: GET answered {(int)response.StatusCode}");
                return;
            }
        }

        var retired = doc.RetiredMarkers.FirstOrDefault();
        if (retired is not null && (await SearchAsync(http, retired, "lexical", cancellationToken)).Count > 0)
        {
            findings.Violation($"cycle {cycle}: lexical search for '{retired}' of deleted {doc.Tenant}/{doc.Id} still finds something");
        }
    }

    private void Record(TrackedDoc doc, bool loss, string message)
    {
        if (loss && doc.Acknowledged)
        {
            findings.Loss(message);
        }
        else
        {
            findings.Violation(message);
        }
    }

    private sealed record Hit(string ChunkId, string DocumentId, string Text);

    private async Task<List<Hit>> SearchAsync(HttpClient http, string query, string mode, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(new Uri("v1/search", UriKind.Relative), new { query, mode, topK = TopK }, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            findings.Violation($"{mode} search answered {(int)response.StatusCode}: {IngestClient.Truncate(await response.Content.ReadAsStringAsync(cancellationToken))}");
            return [];
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return body.RootElement.GetProperty("results").EnumerateArray()
            .Select(r => new Hit(r.GetProperty("chunkId").GetString()!, r.GetProperty("documentId").GetString()!, r.GetProperty("text").GetString()!))
            .ToList();
    }
}
