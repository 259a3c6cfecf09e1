using System.Diagnostics;
using System.Globalization;
using System.Text;
using Retrieval.Core.Jobs;
using Xunit.Abstractions;

namespace Retrieval.Storage.Postgres.Tests;

/// <summary>
/// Ingestion throughput against PostgreSQL with one and with two worker processes, in the same run on the same corpus
/// (several jobs, so two workers can each claim one). Time runs from the first enqueue to the last job finishing, with
/// the workers already started. Prints a Markdown table; <c>RETRIEVAL_MEASURE_OUT</c> names a file to write it to.
/// </summary>
/// <remarks>
/// By default it runs small (4 jobs × 3 documents, default settings) as a check that one and two workers both finish
/// every job with every document ingested once; with <c>RETRIEVAL_MEASURE_WORKERS=1</c> it runs the full measurement
/// recorded in docs/performance-postgres.md (4 jobs × 40 documents, two configurations).
/// </remarks>
public sealed class WorkerThroughputMeasurement(ITestOutputHelper output)
{
    private const int Jobs = 4;

    private static readonly bool Measure = Environment.GetEnvironmentVariable("RETRIEVAL_MEASURE_WORKERS") == "1";

    private static int DocumentsPerJob => Measure ? 40 : 3;

    [Fact]
    public async Task OneAndTwoWorkers_FinishEveryJob_AndReportThroughput()
    {
        var rows = new List<string>();
        var configurations = new (string, Dictionary<string, string>)[]
        {
            ("defaults (ONNX threads = all cores, 2 documents in parallel per worker)", []),
            ("one core per worker (IntraOpThreads=1, Parallelism=1)", new() { ["Retrieval__Embeddings__IntraOpThreads"] = "1", ["Retrieval__Ingestion__Parallelism"] = "1" }),
        };
        foreach (var (name, settings) in Measure ? configurations : configurations[..1])
        {
            var one = await RunAsync(1, settings);
            var two = await RunAsync(2, settings);
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {one.Documents} docs, {one.Chunks} chunks | {one.Seconds:F1} s ({one.Documents / one.Seconds:F2} docs/s) | {two.Seconds:F1} s ({two.Documents / two.Seconds:F2} docs/s) | {one.Seconds / two.Seconds:F2}× |"));
        }

        var table = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{Environment.ProcessorCount} cores, MiniLM on CPU, {Jobs} jobs × {DocumentsPerJob} documents")
            .AppendLine()
            .AppendLine("| configuration | corpus | 1 worker | 2 workers | speed-up |")
            .AppendLine("|---|---|---|---|---|");
        rows.ForEach(row => table.AppendLine(row));
        output.WriteLine(table.ToString());
        if (Environment.GetEnvironmentVariable("RETRIEVAL_MEASURE_OUT") is { Length: > 0 } path)
        {
            await File.WriteAllTextAsync(path, table.ToString());
        }
    }

    private static async Task<(int Documents, long Chunks, double Seconds)> RunAsync(int workers, IReadOnlyDictionary<string, string> settings)
    {
        var schema = TestPostgres.NewSchemaName();
        var directory = Directory.CreateTempSubdirectory("retrieval-measure-").FullName;
        var database = new PostgresDatabase(TestPostgres.ConnectionString, schema);
        var processes = new List<WorkerProcess>();
        try
        {
            var queue = new PostgresJobQueue(database);
            await queue.InitializeAsync(CancellationToken.None);
            for (var i = 0; i < workers; i++)
            {
                processes.Add(WorkerProcess.Start(schema, directory, settings));
            }

            await Task.WhenAll(processes.Select(p => p.WaitUntilReadyAsync(TimeSpan.FromMinutes(2))));
            var clock = Stopwatch.StartNew();
            var ids = new List<string>();
            for (var job = 0; job < Jobs; job++)
            {
                var items = Enumerable.Range(0, DocumentsPerJob)
                    .Select(i => new JobItem($"job{job}-doc{i:000}.txt", null, Encoding.UTF8.GetBytes(DocumentText(job * DocumentsPerJob + i)), "text/plain"))
                    .ToList();
                ids.Add(await queue.EnqueueAsync(new JobSubmission("acme", "bench", ["public"], items, new Dictionary<string, string>(StringComparer.Ordinal)), CancellationToken.None));
            }

            while (await queue.CountPendingAsync(CancellationToken.None) > 0)
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(Measure ? 30 : 5))
                {
                    throw new TimeoutException($"{workers} worker(s) did not finish {Jobs} jobs in {clock.Elapsed}.");
                }

                await Task.Delay(100);
            }

            clock.Stop();
            var chunks = await TestPostgres.ScalarAsync<long>(schema, "SELECT COUNT(*) FROM chunks");
            var succeeded = await TestPostgres.ScalarAsync<long>(schema, "SELECT COALESCE(SUM(succeeded), 0) FROM jobs WHERE state = 'succeeded'");
            Assert.Equal(Jobs * DocumentsPerJob, succeeded);
            return (Jobs * DocumentsPerJob, chunks, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
            await database.DisposeAsync();
            await TestPostgres.DropSchemaAsync(schema);
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>About 250 words in three paragraphs: two chunks at the default 256-token budget.</summary>
    private static string DocumentText(int n)
    {
        var text = new StringBuilder();
        for (var paragraph = 0; paragraph < 3; paragraph++)
        {
            for (var sentence = 0; sentence < 6; sentence++)
            {
                var k = (n * 31) + (paragraph * 7) + sentence;
                text.Append(CultureInfo.InvariantCulture,
                    $"Station {k % 97} recorded a pressure of {990 + (k % 40)} hectopascals while crew {k % 13} inspected valve {k % 211}. ");
            }

            text.AppendLine().AppendLine();
        }

        return text.ToString();
    }
}
