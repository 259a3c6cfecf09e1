using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Retrieval.CrashHarness;

/// <summary>One caller identity (tenant, user, groups) and the ACLs it gives its documents (always ones it can read itself).</summary>
internal sealed record ClientIdentity(int Index, string Tenant, string User, string Group)
{
    public static ClientIdentity For(int index) =>
        new(index, index % 2 == 0 ? "acme" : "globex", $"crash-user-{index}", $"team-{index % 3}");

    public IReadOnlyList<string> PickAcl(Random random) => random.Next(4) switch
    {
        0 => [$"user:{User}"],
        1 => [$"group:{Group}"],
        2 => [$"user:{User}", $"group:{Group}"],
        _ => ["public", $"group:{Group}"],
    };
}

/// <summary>
/// A client that ingests, re-ingests and deletes its own documents through the REST API until the service dies under
/// it, recording in the <see cref="Ledger"/> what was acknowledged and what was left in flight.
/// </summary>
internal sealed class IngestClient
{
    private readonly ClientIdentity identity;
    private readonly Ledger ledger;
    private readonly Findings findings;
    private readonly HarnessOptions options;
    private int nextDocument;
    private int nextJob;

    public IngestClient(ClientIdentity identity, Ledger ledger, Findings findings, HarnessOptions options)
    {
        this.identity = identity;
        this.ledger = ledger;
        this.findings = findings;
        this.options = options;
    }

    public ClientIdentity Identity => identity;

    /// <summary>Runs operations until <paramref name="stop"/> fires or a request fails because the service is gone.</summary>
    public async Task RunAsync(HttpClient http, Random random, int cycle, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var roll = random.NextDouble();
                var mine = ledger.Documents.Where(d => d.Client == identity.Index && !d.ViaJob && d.IsCertainlyPresent).ToList();
                if (roll < 0.45 || mine.Count == 0)
                {
                    await CreateAsync(http, random, cycle, stop);
                }
                else if (roll < 0.60)
                {
                    await UpdateAsync(http, random, mine[random.Next(mine.Count)], cycle, stop);
                }
                else if (roll < 0.75)
                {
                    await DeleteAsync(http, mine[random.Next(mine.Count)], cycle, stop);
                }
                else
                {
                    await SubmitJobAsync(http, random, cycle, stop);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
            {
                return; // the service was killed (or the cycle ended): what was in flight stays uncertain
            }
        }
    }

    private async Task CreateAsync(HttpClient http, Random random, int cycle, CancellationToken stop)
    {
        var doc = ledger.Add(new TrackedDoc(identity.Tenant, $"c{identity.Index}-d{nextDocument++}", identity.Index, viaJob: false));
        await UpsertAsync(http, random, doc, cycle, stop);
    }

    private Task UpdateAsync(HttpClient http, Random random, TrackedDoc doc, int cycle, CancellationToken stop) =>
        UpsertAsync(http, random, doc, cycle, stop);

    private async Task UpsertAsync(HttpClient http, Random random, TrackedDoc doc, int cycle, CancellationToken stop)
    {
        var (text, markers) = DocumentText.Generate(random, options.MaxParagraphs);
        var acl = identity.PickAcl(random);
        var next = new DocVersion(true, markers, null, null);
        doc.BeginChange(next);
        using var response = await http.PostAsJsonAsync(
            new Uri("v1/documents", UriKind.Relative),
            new { id = doc.Id, title = $"Crash document {doc.Id}", text, contentType = "text/markdown", acl },
            stop);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK)) // 200: the same document was already stored
        {
            await UnexpectedAsync(response, $"POST /v1/documents {doc.Id}");
            return;
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(stop));
        var version = body.RootElement.GetProperty("version").GetInt32();
        var chunks = body.RootElement.GetProperty("chunks").GetInt32();
        var acknowledged = next with { Version = version, Chunks = chunks };
        doc.Candidates = [doc.Candidates![0], acknowledged];
        doc.Settle(acknowledged, acknowledged: true, cycle);
        findings.CountAcknowledgedWrite();
    }

    private async Task DeleteAsync(HttpClient http, TrackedDoc doc, int cycle, CancellationToken stop)
    {
        doc.BeginChange(DocVersion.Absent);
        using var response = await http.DeleteAsync(new Uri($"v1/documents/{doc.Id}", UriKind.Relative), stop);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            doc.Settle(doc.Candidates![1], acknowledged: true, cycle);
            findings.CountAcknowledgedDelete();
        }
        else if (response.StatusCode == HttpStatusCode.NotFound)
        {
            findings.Loss($"cycle {cycle}: DELETE of acknowledged document {doc.Tenant}/{doc.Id} answered 404: it was lost before");
            doc.Settle(doc.Candidates![1], acknowledged: true, cycle);
        }
        else
        {
            await UnexpectedAsync(response, $"DELETE /v1/documents/{doc.Id}");
        }
    }

    private async Task SubmitJobAsync(HttpClient http, Random random, int cycle, CancellationToken stop)
    {
        var job = nextJob++;
        var files = random.Next(1, options.MaxJobFiles + 1);
        var acl = identity.PickAcl(random);
        var documents = new List<(TrackedDoc Doc, DocVersion Version)>(files);
        using var content = new MultipartFormDataContent();
        for (var k = 0; k < files; k++)
        {
            var (text, markers) = DocumentText.Generate(random, options.MaxParagraphs);
            var doc = ledger.Add(new TrackedDoc(identity.Tenant, $"c{identity.Index}-j{job}-{k}.md", identity.Index, viaJob: true));
            var version = new DocVersion(true, markers, null, null);
            doc.BeginChange(version);
            doc.MayStillChange = true; // until the job is known, or forever if its submission is never answered
            documents.Add((doc, version));
            var file = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
            file.Headers.ContentType = new MediaTypeHeaderValue("text/markdown");
            content.Add(file, "files", doc.Id);
        }

        content.Add(new StringContent(string.Join(',', acl)), "acl");
        using var response = await http.PostAsync(new Uri("v1/ingest/jobs", UriKind.Relative), content, stop);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            await UnexpectedAsync(response, "POST /v1/ingest/jobs");
            return;
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(stop));
        var id = body.RootElement.GetProperty("jobId").GetString()!;
        ledger.Add(new TrackedJob(id, identity.Tenant, identity.Index, documents, cycle));
        findings.CountAcknowledgedJob();
    }

    private async Task UnexpectedAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        findings.Violation(string.Create(CultureInfo.InvariantCulture, $"{what} answered {(int)response.StatusCode}: {Truncate(body)}"));
    }

    internal static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
