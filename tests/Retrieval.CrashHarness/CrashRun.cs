using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Retrieval.Core.Security;

namespace Retrieval.CrashHarness;

/// <summary>The outcome of a run, as printed in the summary.</summary>
internal sealed record HarnessResult(
    int Seed,
    int Cycles,
    int Kills,
    int StartupKills,
    int AcknowledgedWrites,
    int AcknowledgedDeletes,
    int AcknowledgedJobs,
    long DocumentChecks,
    int ApiDocumentChecks,
    int Losses,
    int Violations,
    int MaxJobAttempts,
    long FinalDocuments,
    long FinalChunks,
    double MeanStartupSeconds,
    TimeSpan Elapsed,
    string WorkDirectory,
    IReadOnlyList<string> Findings)
{
    public bool Passed => Losses == 0 && Violations == 0;

    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"""
        crash harness: seed {Seed}, {Cycles} cycles, {Kills} SIGKILLs ({StartupKills} during start-up), {Elapsed.TotalSeconds:F0} s (mean start-up {MeanStartupSeconds:F1} s)
          acknowledged: {AcknowledgedWrites} document writes, {AcknowledgedDeletes} deletes, {AcknowledgedJobs} jobs (most attempts of one job: {MaxJobAttempts})
          checked: {DocumentChecks} acknowledged-document states in the SQLite file (after every kill), {ApiDocumentChecks} through the API; store at the end: {FinalDocuments} documents, {FinalChunks} chunks
          losses: {Losses}, invariant violations: {Violations} -> {(Passed ? "PASS" : "FAIL")}
        """);
}

/// <summary>
/// The crash loop: start the API, let the clients ingest for a random time (or kill it during start-up), SIGKILL it,
/// inspect the SQLite file read-only, restart, verify through the API, again. Ends with a drain: no more kills until
/// every acknowledged job has finished, then every tracked document is verified through the API and the file once more.
/// </summary>
internal static class CrashRun
{
    private const int EmbeddingBytes = 384 * sizeof(float);

    public static async Task<HarnessResult> RunAsync(HarnessOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var workDirectory = options.WorkDirectory is { } configured
            ? Directory.CreateDirectory(configured).FullName
            : Directory.CreateTempSubdirectory("retrieval-crash-").FullName;
        var dataDirectory = Path.Combine(workDirectory, "data");
        var scratch = Path.Combine(workDirectory, "scratch");
        var databasePath = Path.Combine(dataDirectory, "retrieval.db");
        var apiDll = ApiProcess.LocateApi(options.ApiDll);
        log.WriteLine($"crash harness: seed {options.Seed}, {options.Cycles} cycles, {options.Clients} clients, API {apiDll}, data {dataDirectory}");

        // Each kill of a running job costs it an attempt (its lease expires and it is claimed again); with the default
        // 5 a job unlucky enough to be killed five times would be dead-lettered, which is correct but not what this
        // harness measures.
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["Retrieval__Jobs__MaxAttempts"] = "1000" };
        var random = new Random(options.Seed);
        var ledger = new Ledger();
        var findings = new Findings();
        if (!options.Quiet)
        {
            findings.OnFinding = message => log.WriteLine("  " + message);
        }

        var clients = Enumerable.Range(0, options.Clients).Select(i => new IngestClient(ClientIdentity.For(i), ledger, findings, options)).ToList();
        using var health = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Dictionary<int, string>? tokens = null;
        var startups = new List<double>();
        var kills = 0;
        var startupKills = 0;
        long documentChecks = 0;
        var apiChecks = 0;
        InspectionReport? last = null;

        for (var cycle = 1; cycle <= options.Cycles; cycle++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var startupKill = cycle > 1 && random.NextDouble() < options.StartupKillRate;
            var startupEstimateMs = startups.Count == 0 ? 3000 : (int)(startups.Average() * 1000);
            var uptimeMs = random.Next(options.MinUptimeMs, options.MaxUptimeMs + 1);
            var killDuringStartupMs = random.Next(0, (int)(startupEstimateMs * 1.2) + 1);
            string what;
            using (var api = ApiProcess.Start(apiDll, dataDirectory, ApiProcess.FreePort(), settings))
            {
                if (startupKill)
                {
                    await Task.Delay(killDuringStartupMs, cancellationToken);
                    api.Kill();
                    startupKills++;
                    what = $"killed {killDuringStartupMs} ms into start-up";
                }
                else
                {
                    var started = Stopwatch.StartNew();
                    await api.WaitUntilReadyAsync(health, options.StartupTimeout, cancellationToken);
                    var readySeconds = started.Elapsed.TotalSeconds;
                    startups.Add(readySeconds);
                    tokens ??= MintTokens(dataDirectory, clients);
                    var http = Connect(api.BaseAddress, clients, tokens);
                    try
                    {
                        var verifier = new ApiVerifier(http, findings);
                        await verifier.PollJobsAsync(ledger, cycle, cancellationToken);
                        var toVerify = ChooseForVerification(ledger, cycle, options, random);
                        await verifier.VerifyAsync(toVerify, options.Seed, cycle, options.Clients, cancellationToken);
                        apiChecks += verifier.DocumentsVerified;

                        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        var running = clients
                            .Select(c => c.RunAsync(http[c.Identity.Index], new Random(ClientSeed(options.Seed, cycle, c.Identity.Index)), cycle, stop.Token))
                            .ToList();
                        // The first requests after a start are slow (JIT, first inference): count the random time from the
                        // cycle's first acknowledgement, so that kills land among writes in flight rather than in warm-up.
                        var warmUp = await WaitForFirstAcknowledgementAsync(findings, running, cancellationToken);
                        await Task.Delay(uptimeMs, cancellationToken);
                        api.Kill();
                        await stop.CancelAsync();
                        await Task.WhenAll(running);
                        what = string.Create(CultureInfo.InvariantCulture, $"ready in {readySeconds:F1} s, verified {toVerify.Count}, first acknowledgement after {warmUp.TotalSeconds:F1} s, killed {uptimeMs} ms later");
                    }
                    finally
                    {
                        foreach (var client in http.Values)
                        {
                            client.Dispose();
                        }
                    }
                }

                kills++;
            }

            last = StoreInspector.Inspect(databasePath, ledger, findings, cycle, expectGraph: true, EmbeddingBytes);
            StoreInspector.CheckFullTextIndex(databasePath, scratch, findings, cycle);
            documentChecks += last.DocumentsChecked;
            if (!options.Quiet)
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"cycle {cycle}/{options.Cycles}: {what}; store {last.DocumentRows} documents, {last.ChunkRows} chunks; checked {last.DocumentsChecked} documents ({last.MarkersChecked} markers), settled {last.Settled}; losses {findings.LossCount}, violations {findings.ViolationCount}; {watch.Elapsed.TotalSeconds:F0} s"));
            }
        }

        // Drain: no more kills. Every acknowledged job must finish, then everything is verified once more.
        using (var api = ApiProcess.Start(apiDll, dataDirectory, ApiProcess.FreePort(), settings))
        {
            await api.WaitUntilReadyAsync(health, options.StartupTimeout, cancellationToken);
            tokens ??= MintTokens(dataDirectory, clients);
            var http = Connect(api.BaseAddress, clients, tokens);
            try
            {
                var verifier = new ApiVerifier(http, findings);
                var drain = Stopwatch.StartNew();
                int pending;
                while ((pending = await verifier.PollJobsAsync(ledger, options.Cycles + 1, cancellationToken)) > 0 && drain.Elapsed < options.DrainTimeout)
                {
                    await Task.Delay(500, cancellationToken);
                }

                if (pending > 0)
                {
                    findings.Violation($"drain: {pending} acknowledged jobs still queued or running after {options.DrainTimeout}");
                }

                var everything = ledger.Documents.Where(d => d.IsSettled).ToList();
                await verifier.VerifyAsync(everything, options.Seed, options.Cycles + 1, options.Clients, cancellationToken);
                apiChecks += verifier.DocumentsVerified;
                log.WriteLine($"drain: jobs finished in {drain.Elapsed.TotalSeconds:F0} s, verified all {everything.Count} settled documents through the API");
            }
            finally
            {
                foreach (var client in http.Values)
                {
                    client.Dispose();
                }
            }

            api.Kill();
        }

        last = StoreInspector.Inspect(databasePath, ledger, findings, options.Cycles + 1, expectGraph: true, EmbeddingBytes);
        StoreInspector.CheckFullTextIndex(databasePath, scratch, findings, options.Cycles + 1);
        documentChecks += last.DocumentsChecked;

        var result = new HarnessResult(
            options.Seed, options.Cycles, kills, startupKills, findings.AcknowledgedWrites, findings.AcknowledgedDeletes, findings.AcknowledgedJobs,
            documentChecks, apiChecks, findings.LossCount, findings.ViolationCount,
            ledger.Jobs.Select(j => j.Attempts).DefaultIfEmpty(0).Max(), last.DocumentRows, last.ChunkRows,
            startups.Count == 0 ? 0 : startups.Average(), watch.Elapsed, workDirectory, [.. findings.Losses, .. findings.Violations]);
        if (result.Passed && !options.Keep && options.WorkDirectory is null)
        {
            Directory.Delete(workDirectory, recursive: true);
        }

        return result;
    }

    private static async Task<TimeSpan> WaitForFirstAcknowledgementAsync(Findings findings, IReadOnlyList<Task> clients, CancellationToken cancellationToken)
    {
        static int Acknowledged(Findings f) => f.AcknowledgedWrites + f.AcknowledgedDeletes + f.AcknowledgedJobs;
        var before = Acknowledged(findings);
        var watch = Stopwatch.StartNew();
        while (Acknowledged(findings) == before && watch.Elapsed < TimeSpan.FromSeconds(30) && !clients.All(c => c.IsCompleted))
        {
            await Task.Delay(10, cancellationToken);
        }

        return watch.Elapsed;
    }

    /// <summary>A client's per-cycle seed, derived arithmetically (string/HashCode hashing is randomized per process).</summary>
    internal static int ClientSeed(int seed, int cycle, int client) => unchecked((seed * 1_000_003) + (cycle * 7_919) + client);

    /// <summary>Everything that changed since the previous verification, plus a sample of older present and deleted documents.</summary>
    private static List<TrackedDoc> ChooseForVerification(Ledger ledger, int cycle, HarnessOptions options, Random random)
    {
        var settled = ledger.Documents.Where(d => d.IsSettled).ToList();
        var recent = settled.Where(d => d.ChangedCycle >= cycle - 1).ToList();
        var older = settled.Where(d => d.ChangedCycle < cycle - 1).ToList();
        var presentOlder = older.Where(d => d.Known!.Present).ToList();
        var absentOlder = older.Where(d => !d.Known!.Present && d.Acknowledged).ToList();
        recent.AddRange(presentOlder.OrderBy(_ => random.Next()).Take(options.Sample));
        recent.AddRange(absentOlder.OrderBy(_ => random.Next()).Take(Math.Max(1, options.Sample / 4)));
        return recent;
    }

    private static Dictionary<int, string> MintTokens(string dataDirectory, IEnumerable<IngestClient> clients)
    {
        var identity = DevelopmentIdentity.TryLoad(dataDirectory)
            ?? throw new HarnessException($"The API did not create {DevelopmentIdentity.PathIn(dataDirectory)}.");
        return clients.ToDictionary(
            c => c.Identity.Index,
            c => identity.MintToken(new TokenRequest(
                c.Identity.User, c.Identity.Tenant, [c.Identity.Group], [RetrievalRoles.Reader, RetrievalRoles.Ingestor], TimeSpan.FromDays(7))));
    }

    private static Dictionary<int, HttpClient> Connect(Uri baseAddress, IEnumerable<IngestClient> clients, IReadOnlyDictionary<int, string> tokens) =>
        clients.ToDictionary(
            c => c.Identity.Index,
            c =>
            {
                var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens[c.Identity.Index]);
                return http;
            });
}
