using System.Diagnostics;
using CsCheck;
using Retrieval.Core.Graph;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;
using Xunit.Abstractions;

namespace Retrieval.Storage.Conformance;

/// <summary>
/// Property: against random worlds (tenants, colliding document ids, random ACLs, shared entities, then ACL changes and
/// deletions), every store read with a random <see cref="AclFilter"/> returns exactly what a brute-force oracle over the
/// readable chunks says — no unreadable row, and no readable row missing. Vector search returns the brute-force top-k
/// scores; BM25 returns every readable chunk with the canary word and nothing else; document reads and hydration return
/// exactly the readable rows; the graph (when the backend keeps one) shows entities, counts, neighbours and subgraphs
/// from readable chunks only.
/// </summary>
public abstract class AclPropertyConformanceTests : StorageConformanceBase
{
    private static readonly string[] Users = ["u0", "u1", "u2", "public", "g0"];
    private static readonly string[] Groups = ["g0", "g1", "g2", "u1"];
    private static readonly string[] Shared = ["Acme Robotics", "Lisbon Harbour"];

    private readonly ITestOutputHelper _output;

    protected AclPropertyConformanceTests(ITestOutputHelper output) => _output = output;

    /// <summary>Cases per run in CI (<c>CsCheck_Iter</c> overrides), spread over <see cref="Worlds"/> worlds.</summary>
    protected virtual int CiCases => 500;

    protected virtual int Worlds => 2;

    private sealed record StoreDocument(TestDocument Test, string Canary, string Entity, string[] Shared)
    {
        public string Tenant => Test.Document.Tenant;

        public string Id => Test.Document.Id;

        public IReadOnlyList<string> Acl => Test.Document.Acl;
    }

    private sealed record StoreCase(string Tenant, string User, string[] Groups, int Target, int Other, int K, float[] Vector, int ChunkMask)
    {
        public AclFilter Filter { get; } = TestData.Reader(Tenant, User, Groups);

        public override string ToString() =>
            $"caller {User}@{Tenant} groups=[{string.Join(',', Groups)}]; target {Target}; other {Other}; k {K}";
    }

    [Fact]
    public async Task AnyFilter_EveryStoreRead_ReturnsExactlyTheReadableRows()
    {
        var total = PropertyRun.Cases(CiCases);
        var master = PropertyRun.Master(PropertyRun.Seed);
        var watch = Stopwatch.StartNew();
        var run = 0;
        var checks = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var number = 0; number < Worlds; number++)
        {
            var (raw, seed) = WorldGenerator(number).Next(master);
            var world = await SeedAsync(raw);
            var cases = total / Worlds + (number < total % Worlds ? 1 : 0);
            _output.WriteLine($"world {number} (seed {seed}): {world.Count} documents, {world.Sum(d => d.Test.Chunks.Count)} chunks; {cases} cases");
            run += await PropertyRun.SweepAsync(CaseGenerator(number), master, cases, c => CheckAsync(world, c, checks), c => c.ToString(), _output.WriteLine);
        }

        var summary = $"store ACL property ({GetType().Name}): run seed {PropertyRun.Seed}, {Worlds} worlds, {run} cases, " +
            $"{checks.Where(c => c.Key != "positive").Sum(c => c.Value)} store reads ({string.Join(", ", checks.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"))}) in {watch.Elapsed.TotalSeconds:F1} s";
        _output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.Equal(total, run);
        Assert.True(checks.GetValueOrDefault("positive") > total / 10, "too few cases could read anything: the property would not notice over-blocking");
    }

    private static string Tenant(int world, int index) => $"w{world}t{index}";

    /// <summary>Per document: tenant, id, ACL, chunk count, marker letters, shared entities, and what happens next (0 keep, 1 new ACL, 2 delete).</summary>
    private static Gen<(int Tenant, int Id, string[] Acl, int Chunks, string Letters, string[] Shared, int Fate, string[] NewAcl)[]> WorldGenerator(int number)
    {
        var entry = Gen.Frequency(
            (1, Gen.Const(AclEntry.Public)),
            (4, Gen.OneOf(Users).Select(AclEntry.User)),
            (4, Gen.OneOf(Groups).Select(AclEntry.Group)));
        var letters = Gen.Char["abcdefghijklmnoprstuvwy"].Array[6].Select(c => new string(c));
        _ = number;
        return Gen.Select(
            Gen.Int[0, 2], Gen.Int[0, 9], entry.Array[1, 3], Gen.Int[1, 3], letters, Gen.OneOf(Shared).Array[0, 2],
            Gen.Frequency((6, Gen.Const(0)), (2, Gen.Const(1)), (1, Gen.Const(2))), entry.Array[1, 3])
            .Array[25, 40];
    }

    private static Gen<StoreCase> CaseGenerator(int world) =>
        Gen.Select(
            Gen.Frequency((9, Gen.Int[0, 2]), (1, Gen.Const(3))), Gen.OneOf([.. Users, "nobody"]), Gen.OneOf(Groups).Array[0, 3],
            Gen.Int[0, 39], Gen.Int[0, 39], Gen.Int[1, 25], Gen.Float[-1, 1].Array[TestData.Dimensions], Gen.Int[0, 255],
            (tenant, user, groups, target, other, k, vector, mask) => new StoreCase(
                Tenant(world, tenant), user, [.. groups.Distinct()], target, other, k, TestData.Normalize(vector), mask));

    private async Task<List<StoreDocument>> SeedAsync((int Tenant, int Id, string[] Acl, int Chunks, string Letters, string[] Shared, int Fate, string[] NewAcl)[] raw)
    {
        var documents = new List<StoreDocument>();
        var taken = new HashSet<(string, string)>();
        for (var i = 0; i < raw.Length; i++)
        {
            var (tenantIndex, idNumber, acl, chunkCount, letters, shared, fate, newAcl) = raw[i];
            var tenant = Tenant(WorldNumber, tenantIndex);
            var id = taken.Add((tenant, $"doc-{idNumber}")) ? $"doc-{idNumber}" : $"doc-{i}-b";
            taken.Add((tenant, id));
            var suffix = new string([(char)('a' + (i / 23)), (char)('a' + (i % 23))]);
            var canary = "zq" + letters + suffix;
            var entity = $"Zx{letters}{suffix} Foundation";
            var sharedNames = shared.Distinct().ToArray();
            var texts = Enumerable.Range(0, chunkCount).Select(k =>
                $"The {entity} keeps the {canary} ledger number {k}. " +
                string.Concat(sharedNames.Select(s => $"The {entity} works with {s}. ")) + "Quarterly budget review.").ToList();
            var document = await UpsertAsync(tenant, id, acl, texts, version: 1);
            if (fate == 1)
            {
                document = await UpsertAsync(tenant, id, newAcl, texts, version: 2);
            }
            else if (fate == 2)
            {
                Assert.True(await Store.DeleteAsync(tenant, id, Ct));
                continue;
            }

            documents.Add(new StoreDocument(document, canary, entity, sharedNames));
        }

        WorldNumber++;
        return documents;
    }

    private int WorldNumber { get; set; }

    private async Task<TestDocument> UpsertAsync(string tenant, string id, IReadOnlyList<string> acl, IReadOnlyList<string> texts, int version)
    {
        var document = TestData.Document(tenant, id, acl, texts, version);
        var graph = FastGraphExtractor.Extract([.. document.Chunks.Select(c => (c.Id, c.Text))]);
        await Store.UpsertAsync(document.Document, document.Chunks, graph, Ct);
        return document;
    }

    private async Task CheckAsync(List<StoreDocument> world, StoreCase c, Dictionary<string, int> checks)
    {
        void Count(string kind)
        {
            lock (checks)
            {
                checks[kind] = checks.GetValueOrDefault(kind) + 1;
            }
        }

        var filter = c.Filter;
        var readable = world.Where(d => Oracle(c, d)).ToList();
        var readableChunks = readable.SelectMany(d => d.Test.Chunks).ToDictionary(ch => ch.Id, StringComparer.Ordinal);
        var forbiddenNames = world.Except(readable).Select(d => d.Entity).ToHashSet(StringComparer.Ordinal);
        var target = world[c.Target % world.Count];
        if (readable.Count > 0)
        {
            Count("positive");
        }

        // Dense: exactly the brute-force top-k over readable chunks (compared by score, so ties may swap ids).
        var dense = await Vectors.SearchAsync(filter, c.Vector, c.K, Ct);
        Count("vector");
        Assert.True(dense.All(r => readableChunks.ContainsKey(r.ChunkId)), $"vector search returned an unreadable chunk for {c}");
        var expected = readableChunks.Values.Select(ch => TestData.Dot(ch.Embedding.ToArray(), c.Vector)).OrderDescending().Take(c.K).ToList();
        Assert.True(dense.Count == expected.Count, $"vector search returned {dense.Count} chunks, brute force {expected.Count} for {c}");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(dense[i].Score - expected[i]) < 1e-4, $"vector rank {i}: {dense[i].Score} vs brute force {expected[i]} for {c}");
        }

        // BM25: the canary of one document, plus another's: every readable chunk with either, and only those.
        var other = world[c.Other % world.Count];
        var lexical = await Lexical.SearchAsync(filter, $"{target.Canary} {other.Canary}", 100, Ct);
        Count("lexical");
        var expectedLexical = new[] { target, other }.Distinct().Where(readable.Contains).SelectMany(d => d.Test.ChunkIds).Order(StringComparer.Ordinal);
        Assert.True(
            expectedLexical.SequenceEqual(lexical.Select(r => r.ChunkId).Order(StringComparer.Ordinal)),
            $"lexical returned [{string.Join(',', lexical.Select(r => r.ChunkId))}], expected [{string.Join(',', expectedLexical)}] for {c}");

        // Documents: readable by id exactly when the oracle says so; hydration returns exactly the readable subset.
        var byId = await Store.GetReadableAsync(filter, target.Id, Ct);
        Count("document");
        var visible = readable.FirstOrDefault(d => d.Id == target.Id);
        Assert.True((byId is null) == (visible is null), $"GetReadable({target.Id}) returned {(byId is null ? "null" : byId.Tenant)} for {c}");
        Assert.True(byId is null || (byId.Tenant == filter.Tenant && byId.ContentHash == visible!.Test.Document.ContentHash), $"wrong document for {c}");
        var asked = world.SelectMany(d => d.Test.Chunks).Where((_, i) => ((c.ChunkMask >> (i % 8)) & 1) == 1).Select(ch => ch.Id).ToList();
        var hydrated = await Store.GetChunksAsync(filter, asked, Ct);
        Count("hydrate");
        Assert.True(
            asked.Where(readableChunks.ContainsKey).Order(StringComparer.Ordinal).SequenceEqual(hydrated.Select(h => h.Chunk.Id).Order(StringComparer.Ordinal)),
            $"hydration returned [{string.Join(',', hydrated.Select(h => h.Chunk.Id))}] for {c}");

        if (Storage.Graph is { } graph)
        {
            await CheckGraphAsync(graph, world, c, target, readable, readableChunks, forbiddenNames, Count);
        }
    }

    private static async Task CheckGraphAsync(
        IGraphStore graph, List<StoreDocument> world, StoreCase c, StoreDocument target, List<StoreDocument> readable,
        Dictionary<string, Core.Documents.ChunkRecord> readableChunks, HashSet<string> forbiddenNames, Action<string> count)
    {
        var filter = c.Filter;
        var keys = Shared.Prepend(target.Entity).Select(EntityNames.Normalize).ToList();
        var found = await graph.FindByKeysAsync(filter, keys, Ct);
        count("graph-find");
        Assert.True(found.All(f => !forbiddenNames.Contains(f.Entity.Name)), $"FindByKeys showed an unreadable entity for {c}");
        Assert.True(found.Any(f => f.Entity.Name == target.Entity) == readable.Contains(target), $"FindByKeys({target.Entity}) for {c}");
        foreach (var name in Shared)
        {
            var mentioning = readable.Where(d => d.Shared.Contains(name)).Sum(d => d.Test.Chunks.Count);
            var entity = found.FirstOrDefault(f => f.Entity.Name == name)?.Entity;
            Assert.True((entity?.Chunks ?? 0) == mentioning, $"{name}: {entity?.Chunks ?? 0} chunks, {mentioning} readable mention it, for {c}");
        }

        var prefix = await graph.SearchAsync(filter, "zx", 100, Ct);
        count("graph-search");
        var expectedNames = readable.Select(d => d.Entity).Order(StringComparer.Ordinal);
        Assert.True(
            expectedNames.SequenceEqual(prefix.Select(e => e.Name).Order(StringComparer.Ordinal)),
            $"prefix search returned [{string.Join(',', prefix.Select(e => e.Name))}], expected [{string.Join(',', expectedNames)}] for {c}");

        foreach (var entity in found.Select(f => f.Entity).DistinctBy(e => e.Id))
        {
            var detail = await graph.GetAsync(filter, entity.Id, 200, 200, Ct);
            count("graph-detail");
            Assert.NotNull(detail);
            Assert.True(detail.ChunkIds.All(readableChunks.ContainsKey), $"entity {entity.Name} listed an unreadable chunk for {c}");
            Assert.True(detail.Neighbors.All(n => !forbiddenNames.Contains(n.Entity.Name)), $"entity {entity.Name} has an unreadable neighbour for {c}");
            Assert.Equal(entity.Chunks, detail.ChunkIds.Count);
        }

        // The subgraph around every entity found and every chunk of the world (readable or not) as seeds.
        var subgraph = await graph.GetSubgraphAsync(filter, [.. found.Select(f => f.Entity.Id)], [.. world.SelectMany(d => d.Test.ChunkIds)], new GraphExpansion(2, 50, 500), Ct);
        count("graph-subgraph");
        Assert.True(subgraph.ChunkIds.All(readableChunks.ContainsKey), $"subgraph has an unreadable chunk for {c}");
        Assert.True(subgraph.Entities.All(e => !forbiddenNames.Contains(e.Name)), $"subgraph has an unreadable entity for {c}");
    }

    /// <summary>DESIGN.md §3, written out: same tenant, and the ACL names public, the user or one of the groups.</summary>
    private static bool Oracle(StoreCase c, StoreDocument document) =>
        c.Tenant == document.Tenant
        && document.Acl.Any(entry => entry == "public" || entry == "user:" + c.User || c.Groups.Any(g => entry == "group:" + g));
}
