using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Benchmarks.Load;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;
using Retrieval.Storage.Embedded;

namespace Retrieval.Benchmarks.Graph;

/// <summary>
/// Local graph retrieval on a real store: the MuSiQue evaluation store (<c>eval/.cache/musique-arctic-xs</c>, or the
/// folder in <c>RETRIEVAL_BENCH_GRAPH_STORE</c>), copied to a temporary folder so nothing is written into it. Twenty
/// MuSiQue questions per operation, as a public reader of tenant <c>eval</c>:
/// <list type="bullet">
/// <item><see cref="Retrieve"/>: linking + subgraph + personalized PageRank (<see cref="GraphRetriever"/>), in-memory copy warm;</item>
/// <item><see cref="Subgraph"/>: the subgraph read alone for the same seeds (change-counter check + expansion);</item>
/// <item><see cref="SqlSubgraph"/>: the same reads in SQL (<c>Retrieval:Graph:InMemorySubgraph=false</c>; what a search pays while the copy is stale after a write);</item>
/// <item><see cref="Reload"/>: loading the whole copy once (the work of the background reload after a write; no request waits for it).</item>
/// </list>
/// Run: <c>dotnet run -c Release --project eval/Retrieval.Benchmarks -- --filter *GraphRetrieverBenchmarks* --inProcess</c>
/// (in-process: on a loaded 2-core machine the generated project's build can exceed BenchmarkDotNet's 2-minute limit).
/// </summary>
[MemoryDiagnoser]
public class GraphRetrieverBenchmarks : IDisposable
{
    private const int Questions = 20;

    private string _copy = string.Empty;
    private ServiceProvider? _services;
    private GraphRetriever? _retriever;
    private IGraphStore? _store;
    private SqliteGraphStore? _sqlStore;
    private EmbeddedDatabase? _database;
    private AclFilter _filter = null!;
    private IReadOnlyList<string> _queries = [];
    private List<List<string>> _seeds = [];
    private readonly GraphExpansion _expansion = new(new GraphOptions().Hops, new GraphOptions().MaxChunksPerEntity, new GraphOptions().MaxChunks);

    [GlobalSetup]
    public void Setup()
    {
        var source = Environment.GetEnvironmentVariable("RETRIEVAL_BENCH_GRAPH_STORE") ?? FindStore();
        _copy = Path.Combine(Path.GetTempPath(), "retrieval-graph-bench-" + Guid.NewGuid().ToString("N"));
        CopyDirectory(source, _copy);
        _services = IngestBenchmark.BuildServices(_copy, "arctic-xs", 256, 32);
        _services.GetRequiredService<IDocumentStore>().InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        _retriever = _services.GetRequiredService<GraphRetriever>();
        _store = _services.GetRequiredService<IGraphStore>();
        _database = _services.GetRequiredService<EmbeddedDatabase>();
        _filter = new Principal("eval", "bench-user", [], new HashSet<string> { RetrievalRoles.Reader }).ToAclFilter();
        _queries = [.. BenchCorpus.MusiqueQueries(BenchCorpus.FindDatasets(null)).Take(Questions)];
        _seeds = [.. _queries.Select(q => Retrieve(q).Linked.Select(l => l.Entity.Id).ToList())];

        // The first reads above answered in SQL and started the background load; measure with the copy in place.
        ((SqliteGraphStore)_store).GetSnapshotAsync(CancellationToken.None).GetAwaiter().GetResult();
        _sqlStore = new SqliteGraphStore(_database, new FixedOptions<GraphOptions>(new GraphOptions { InMemorySubgraph = false }));
    }

    [Benchmark(Baseline = true)]
    public int Retrieve()
    {
        var total = 0;
        foreach (var query in _queries)
        {
            total += Retrieve(query).Chunks.Count;
        }

        return total;
    }

    [Benchmark]
    public int Subgraph()
    {
        var total = 0;
        foreach (var seeds in _seeds)
        {
            total += _store!.GetSubgraphAsync(_filter, seeds, [], _expansion, CancellationToken.None).GetAwaiter().GetResult().ChunkIds.Count;
        }

        return total;
    }

    [Benchmark]
    public int SqlSubgraph()
    {
        var total = 0;
        foreach (var seeds in _seeds)
        {
            total += _sqlStore!.GetSubgraphAsync(_filter, seeds, [], _expansion, CancellationToken.None).GetAwaiter().GetResult().ChunkIds.Count;
        }

        return total;
    }

    [Benchmark(OperationsPerInvoke = 1)]
    public int Reload()
    {
        using var cold = new SqliteGraphStore(_database!);
        return cold.GetSnapshotAsync(CancellationToken.None).GetAwaiter().GetResult().Mentions.Length;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _sqlStore?.Dispose();
        _sqlStore = null;
        _services?.Dispose();
        _services = null;
        if (Directory.Exists(_copy))
        {
            Directory.Delete(_copy, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    private GraphRetrieval Retrieve(string query) =>
        _retriever!.RetrieveAsync(_filter, query, 50, [], ReadOnlyMemory<float>.Empty, CancellationToken.None).GetAwaiter().GetResult();

    private static string FindStore()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "eval", ".cache", "musique-arctic-xs");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("eval/.cache/musique-arctic-xs not found (run the MuSiQue evaluation once, or set RETRIEVAL_BENCH_GRAPH_STORE).");
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
    }
}

/// <summary>Options that never change, for a store built outside the container.</summary>
internal sealed class FixedOptions<T>(T value) : Microsoft.Extensions.Options.IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
