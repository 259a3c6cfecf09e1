namespace Retrieval.Storage.Conformance;

/// <summary>What every <see cref="Core.Storage.ILexicalIndex"/> must do: BM25 with stemming, safe query parsing, ACL inside the query.</summary>
public abstract class LexicalIndexConformanceTests : StorageConformanceBase
{
    private static readonly Core.Security.AclFilter Dave = TestData.Reader(AclCorpus.Tenant, "dave");

    [Fact]
    public async Task Search_DocumentWithMoreQueryTermOccurrences_RanksHigher()
    {
        var once = TestData.Document(AclCorpus.Tenant, "once", ["public"], ["apple pear plum kiwi"]);
        var thrice = TestData.Document(AclCorpus.Tenant, "thrice", ["public"], ["apple apple apple kiwi"]);
        var none = TestData.Document(AclCorpus.Tenant, "none", ["public"], ["grape melon lime kiwi"]);
        await UpsertAsync(once, thrice, none);

        var results = await Lexical.SearchAsync(Dave, "apple", 10, Ct);

        Assert.Equal([thrice.Chunks[0].Id, once.Chunks[0].Id], results.Select(r => r.ChunkId));
        Assert.True(results[0].Score > results[1].Score);
        Assert.All(results, r => Assert.True(r.Score > 0, "higher is better: scores are positive"));
    }

    [Theory]
    [InlineData("run")]
    [InlineData("runs")]
    [InlineData("RUNNING")]
    public async Task Search_InflectedForm_MatchesThroughStemming(string query)
    {
        var document = TestData.Document(AclCorpus.Tenant, "doc", ["public"], ["the service kept running all night"]);
        await UpsertAsync(document);

        var results = await Lexical.SearchAsync(Dave, query, 10, Ct);

        Assert.Equal(document.ChunkIds, results.Select(r => r.ChunkId));
    }

    [Fact]
    public async Task Search_AnyTermMatches_OrSemantics()
    {
        var a = TestData.Document(AclCorpus.Tenant, "a", ["public"], ["walrus habitat notes"]);
        var b = TestData.Document(AclCorpus.Tenant, "b", ["public"], ["penguin colony notes"]);
        await UpsertAsync(a, b);

        var results = await Lexical.SearchAsync(Dave, "walrus penguin", 10, Ct);

        Assert.Equal(a.ChunkIds.Concat(b.ChunkIds).Order(), results.Select(r => r.ChunkId).Order());
    }

    [Theory]
    [InlineData("\"unbalanced")]
    [InlineData("NEAR(")]
    [InlineData("NEAR(walrus notes, 2)")]
    [InlineData("a:b")]
    [InlineData("text:walrus")]
    [InlineData("*")]
    [InlineData("walrus*")]
    [InlineData("-x")]
    [InlineData("AND OR NOT")]
    [InlineData("walrus AND")]
    [InlineData("^")]
    [InlineData("^walrus")]
    [InlineData("(((")]
    [InlineData("\"\"")]
    [InlineData("{walrus notes}: x")]
    [InlineData("walrus + notes ; DROP TABLE chunks; --")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("🦭 émoji naïve")]
    public async Task Search_QueryLookingLikeFtsSyntax_DoesNotThrow(string query)
    {
        await UpsertAsync(TestData.Document(AclCorpus.Tenant, "doc", ["public"], ["walrus habitat notes"]));

        var results = await Lexical.SearchAsync(Dave, query, 10, Ct);

        Assert.NotNull(results);
    }

    [Fact]
    public async Task Search_SyntaxCharactersAroundWords_StillFindsTheWords()
    {
        var document = TestData.Document(AclCorpus.Tenant, "doc", ["public"], ["walrus habitat notes"]);
        await UpsertAsync(document);

        Assert.Equal(document.ChunkIds, (await Lexical.SearchAsync(Dave, "\"walrus", 10, Ct)).Select(r => r.ChunkId));
        Assert.Equal(document.ChunkIds, (await Lexical.SearchAsync(Dave, "text:walrus", 10, Ct)).Select(r => r.ChunkId));
        Assert.Equal(document.ChunkIds, (await Lexical.SearchAsync(Dave, "NEAR(walrus", 10, Ct)).Select(r => r.ChunkId));
    }

    [Theory]
    [InlineData("")]
    [InlineData("the and of")]
    [InlineData("AND OR NOT")]
    [InlineData("?!.,")]
    public async Task Search_NoSearchableTerms_ReturnsEmpty(string query)
    {
        await UpsertAsync(TestData.Document(AclCorpus.Tenant, "doc", ["public"], ["the and of or not walrus"]));

        Assert.Empty(await Lexical.SearchAsync(Dave, query, 10, Ct));
    }

    [Fact]
    public async Task Search_CanaryWord_ReturnsOnlyReadableChunksForEveryReader()
    {
        await AclCorpus.SeedAsync(Store);

        foreach (var (name, filter) in AclCorpus.Readers)
        {
            var readable = AclCorpus.ReadableChunkIds(filter);
            foreach (var document in AclCorpus.Documents)
            {
                var canary = AclCorpus.CanaryOf(document);
                var results = await Lexical.SearchAsync(filter, canary, 50, Ct);

                Assert.All(results, r => Assert.True(readable.Contains(r.ChunkId), $"{name} got unreadable chunk {r.ChunkId} for '{canary}'"));
                var expected = AclCorpus.MayRead(filter, document) ? [document.Chunks[0].Id] : Array.Empty<string>();
                Assert.Equal(expected, results.Select(r => r.ChunkId));
            }

            var broad = await Lexical.SearchAsync(filter, AclCorpus.CommonText + " secret paragraph", 50, Ct);
            Assert.True(readable.SetEquals(broad.Select(r => r.ChunkId)), $"{name}: broad query returned [{string.Join(", ", broad.Select(r => r.ChunkId))}]");
        }
    }

    [Fact]
    public async Task Search_PermittedChunksBelowThousandBetterForbiddenOnes_AreStillReturned()
    {
        var forbidden = TestData.Document(AclCorpus.Tenant, "hr-bulk", ["group:hr"],
            [.. Enumerable.Range(0, 1000).Select(i => $"budget budget budget budget item{i}")]);
        var permitted = TestData.Document(AclCorpus.Tenant, "eng-few", ["group:eng"],
            [.. Enumerable.Range(0, 5).Select(i => $"budget mentioned once among many other words here {i}")]);
        await UpsertAsync(forbidden, permitted);

        var results = await Lexical.SearchAsync(TestData.Reader(AclCorpus.Tenant, "alice", "eng"), "budget", 3, Ct);

        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.Contains(r.ChunkId, permitted.ChunkIds));
    }

    [Fact]
    public async Task Search_TopK_LimitsAndOrdersByScore()
    {
        await UpsertAsync([.. Enumerable.Range(1, 8).Select(i =>
            TestData.Document(AclCorpus.Tenant, $"doc{i}", ["public"], [string.Join(' ', Enumerable.Repeat("otter", i)) + " filler words " + string.Join(' ', Enumerable.Repeat("pad", 8 - i))]))]);

        var results = await Lexical.SearchAsync(Dave, "otter", 3, Ct);

        Assert.Equal(3, results.Count);
        Assert.True(results[0].Score >= results[1].Score && results[1].Score >= results[2].Score);
        Assert.Empty(await Lexical.SearchAsync(Dave, "otter", 0, Ct));
    }
}
