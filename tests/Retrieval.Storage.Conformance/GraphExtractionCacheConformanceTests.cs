using Retrieval.Core.Documents;
using Retrieval.Core.Graph;

namespace Retrieval.Storage.Conformance;

/// <summary>
/// The LLM graph extraction cache against the document store that keeps it: a cached extraction (model output derived
/// from a chunk's text) lives only while some chunk of its tenant holds that text. Deleting or replacing a document
/// deletes the rows of text no chunk of the tenant still holds; text still held (by another document, or by the new
/// version) keeps its row, so re-ingesting it stays a cache hit. Rows no stored chunk holds (a failed ingest's) go with
/// <see cref="IGraphExtractionCache.PurgeUnheldAsync"/> at once, or with the orphan sweep once past its grace period.
/// </summary>
public abstract class GraphExtractionCacheConformanceTests : StorageConformanceBase
{
    private const string Acme = "acme";
    private const string Globex = "globex";
    private static readonly string[] Everyone = ["public"];

    private IGraphExtractionCache Cache => Storage.ExtractionCache ?? throw new InvalidOperationException("This backend keeps no extraction cache.");

    /// <summary>Caches an extraction of each text for <paramref name="tenant"/>, as the LLM extractor does after a reply.</summary>
    private Task CacheAsync(string tenant, params string[] texts) =>
        Cache.PutAsync(tenant, [.. texts.Select(t => new GraphExtractionCacheEntry(Key(tenant, t), ChunkId.ContentHash(t), "extraction of " + t))], Ct);

    /// <summary>The texts of <paramref name="texts"/> whose cached extraction for <paramref name="tenant"/> is still there.</summary>
    private async Task<IReadOnlyList<string>> CachedAsync(string tenant, params string[] texts)
    {
        var found = await Cache.GetAsync([.. texts.Select(t => Key(tenant, t))], Ct);
        return [.. texts.Where(t => found.TryGetValue(Key(tenant, t), out var value) && value == "extraction of " + t)];
    }

    private static string Key(string tenant, string text) => "key:" + tenant + ":" + ChunkId.ContentHash(text);

    private async Task IngestAsync(string tenant, string id, int version, params string[] texts)
    {
        var document = TestData.Document(tenant, id, Everyone, texts, version);
        await CacheAsync(tenant, texts);
        await Store.UpsertAsync(document.Document, document.Chunks, Ct);
    }

    [Fact]
    public async Task Delete_OnlyDocumentHoldingTheText_DeletesItsCacheRows()
    {
        await IngestAsync(Acme, "a", 1, "Alpha text about comets.", "Beta text about moons.");
        Assert.Equal(2, (await CachedAsync(Acme, "Alpha text about comets.", "Beta text about moons.")).Count);

        Assert.True(await Store.DeleteAsync(Acme, "a", Ct));

        Assert.Empty(await CachedAsync(Acme, "Alpha text about comets.", "Beta text about moons."));
    }

    [Fact]
    public async Task Delete_SameTextHeldByAnotherDocumentOfTheTenant_KeepsThatRowOnly()
    {
        await IngestAsync(Acme, "a", 1, "Shared paragraph on tides.", "Only in a: lighthouses.");
        await IngestAsync(Acme, "b", 1, "Shared paragraph on tides.");

        await Store.DeleteAsync(Acme, "a", Ct);

        Assert.Equal(["Shared paragraph on tides."], await CachedAsync(Acme, "Shared paragraph on tides.", "Only in a: lighthouses."));

        await Store.DeleteAsync(Acme, "b", Ct);

        Assert.Empty(await CachedAsync(Acme, "Shared paragraph on tides."));
    }

    [Fact]
    public async Task Upsert_ReplacementWithNewText_DeletesOldTextRowsAndKeepsUnchangedText()
    {
        await IngestAsync(Acme, "a", 1, "Unchanged opening paragraph.", "Old second paragraph.");

        await IngestAsync(Acme, "a", 2, "Unchanged opening paragraph.", "New second paragraph.");

        Assert.Equal(
            ["Unchanged opening paragraph.", "New second paragraph."],
            await CachedAsync(Acme, "Unchanged opening paragraph.", "Old second paragraph.", "New second paragraph."));
    }

    [Fact]
    public async Task Delete_IdenticalTextOfAnotherTenant_LeavesThatTenantsRow()
    {
        await IngestAsync(Acme, "a", 1, "Identical text in two tenants.");
        await IngestAsync(Globex, "a", 1, "Identical text in two tenants.");

        await Store.DeleteAsync(Acme, "a", Ct);

        Assert.Empty(await CachedAsync(Acme, "Identical text in two tenants."));
        Assert.Equal(["Identical text in two tenants."], await CachedAsync(Globex, "Identical text in two tenants."));
    }

    [Fact]
    public async Task Delete_UnknownDocument_LeavesCacheRowsAlone()
    {
        await IngestAsync(Acme, "a", 1, "Text of a stored document.");

        Assert.False(await Store.DeleteAsync(Acme, "missing", Ct));

        Assert.Equal(["Text of a stored document."], await CachedAsync(Acme, "Text of a stored document."));
    }

    [Fact]
    public async Task Put_SameKeyAgain_LatestValueWinsAndStillFollowsItsText()
    {
        await IngestAsync(Acme, "a", 1, "Text cached twice.");
        await Cache.PutAsync(Acme, [new GraphExtractionCacheEntry(Key(Acme, "Text cached twice."), ChunkId.ContentHash("Text cached twice."), "newer")], Ct);

        Assert.Equal("newer", (await Cache.GetAsync([Key(Acme, "Text cached twice.")], Ct))[Key(Acme, "Text cached twice.")]);

        await Store.DeleteAsync(Acme, "a", Ct);

        Assert.Empty(await Cache.GetAsync([Key(Acme, "Text cached twice.")], Ct));
    }

    /// <summary>A whole sweep as the sweeper runs it: batches until the walk reaches the end. Returns each batch's deletions.</summary>
    private async Task<List<int>> SweepAsync(TimeSpan gracePeriod, int batchSize = 500)
    {
        var batches = new List<int>();
        var after = string.Empty;
        while (true)
        {
            var batch = await Cache.PurgeOrphansAsync(gracePeriod, after, batchSize, Ct);
            batches.Add(batch.Deleted);
            if (batch.NextKey is null)
            {
                return batches;
            }

            Assert.True(string.CompareOrdinal(batch.NextKey, after) > 0, "the walk must move forward");
            after = batch.NextKey;
        }
    }

    [Fact]
    public async Task PurgeOrphans_TextNoStoredChunkHolds_DeletesRowOnceGraceHasPassed()
    {
        await CacheAsync(Acme, "Extracted, then the ingest failed.");

        Assert.Equal(0, (await SweepAsync(TimeSpan.FromHours(1))).Sum()); // inside the grace period: an ingest may be in flight
        Assert.Equal(["Extracted, then the ingest failed."], await CachedAsync(Acme, "Extracted, then the ingest failed."));

        Assert.Equal(1, (await SweepAsync(TimeSpan.Zero)).Sum());

        Assert.Empty(await CachedAsync(Acme, "Extracted, then the ingest failed."));
    }

    [Fact]
    public async Task PurgeOrphans_TextStillHeldByAStoredChunk_KeepsRow()
    {
        await IngestAsync(Acme, "a", 1, "Stored text about glaciers.", "Stored text about fjords.");

        Assert.Equal(0, (await SweepAsync(TimeSpan.Zero)).Sum());

        Assert.Equal(2, (await CachedAsync(Acme, "Stored text about glaciers.", "Stored text about fjords.")).Count);
    }

    [Fact]
    public async Task PurgeOrphans_IdenticalTextHeldOnlyByAnotherTenant_DeletesThisTenantsRowOnly()
    {
        await CacheAsync(Acme, "Identical text, stored only by globex.");
        await IngestAsync(Globex, "g", 1, "Identical text, stored only by globex.");

        await SweepAsync(TimeSpan.Zero);

        Assert.Empty(await CachedAsync(Acme, "Identical text, stored only by globex."));
        Assert.Equal(["Identical text, stored only by globex."], await CachedAsync(Globex, "Identical text, stored only by globex."));
    }

    [Fact]
    public async Task PurgeOrphans_SmallBatches_WalkTheWholeTableAndDeleteEveryOrphanOnly()
    {
        string[] orphans = [.. Enumerable.Range(0, 7).Select(i => $"Orphan paragraph number {i}.")];
        string[] held = [.. Enumerable.Range(0, 5).Select(i => $"Held paragraph number {i}.")];
        await CacheAsync(Acme, orphans);
        await IngestAsync(Acme, "held", 1, held);

        var batches = await SweepAsync(TimeSpan.Zero, batchSize: 2);

        Assert.All(batches, deleted => Assert.InRange(deleted, 0, 2));
        Assert.Equal(7, batches.Sum());
        Assert.True(batches.Count >= 4, $"7 orphans in batches of 2 take at least 4 batches, got {batches.Count}");
        Assert.Empty(await CachedAsync(Acme, orphans));
        Assert.Equal(held, await CachedAsync(Acme, held));
    }

    [Fact]
    public async Task PurgeUnheld_FailedIngestsHashes_DeletesUnheldRowsOfThatTenantAtOnce()
    {
        await IngestAsync(Acme, "a", 1, "Text another document of acme stores.");
        await CacheAsync(Acme, "Text only the failed ingest had.");
        await CacheAsync(Globex, "Text only the failed ingest had.");
        await CacheAsync(Acme, "Unrelated orphan, not named.");

        var deleted = await Cache.PurgeUnheldAsync(
            Acme, [ChunkId.ContentHash("Text another document of acme stores."), ChunkId.ContentHash("Text only the failed ingest had.")], Ct);

        Assert.Equal(1, deleted);
        Assert.Equal(
            ["Text another document of acme stores.", "Unrelated orphan, not named."],
            await CachedAsync(Acme, "Text another document of acme stores.", "Text only the failed ingest had.", "Unrelated orphan, not named."));
        Assert.Equal(["Text only the failed ingest had."], await CachedAsync(Globex, "Text only the failed ingest had."));
        Assert.Equal(0, await Cache.PurgeUnheldAsync(Acme, [], Ct));
    }
}
