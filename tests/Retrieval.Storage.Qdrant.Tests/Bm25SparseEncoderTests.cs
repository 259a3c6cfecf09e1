namespace Retrieval.Storage.Qdrant.Tests;

public sealed class Bm25SparseEncoderTests
{
    [Theory]
    [InlineData("", 2166136261u)]
    [InlineData("a", 0xE40C292Cu)]
    [InlineData("foobar", 0xBF9CF968u)]
    public void TermId_KnownInputs_AreFnv1a32(string term, uint expected)
    {
        Assert.Equal(expected, Bm25SparseEncoder.TermId(term));
    }

    [Fact]
    public void EncodeDocument_RepeatedTerm_HasBm25SaturatedWeight()
    {
        var encoder = new Bm25SparseEncoder(k1: 1.2, b: 0.75, averageLength: 4);

        // "apple apple apple kiwi": 4 terms (= avgdl, so the length norm is k1), apple tf = 3, kiwi tf = 1.
        var vector = encoder.EncodeDocument("apple apple apple kiwi");

        Assert.Equal(2, vector.Count);
        Assert.Equal(3 * 2.2 / (3 + 1.2), Weight(vector, "appl"), 5);
        Assert.Equal(1 * 2.2 / (1 + 1.2), Weight(vector, "kiwi"), 5);
    }

    [Fact]
    public void EncodeDocument_LongerChunk_WeighsTheSameTermLess()
    {
        var encoder = new Bm25SparseEncoder();

        var shortChunk = encoder.EncodeDocument("budget review");
        var longChunk = encoder.EncodeDocument("budget " + string.Join(' ', Enumerable.Range(0, 300).Select(i => "filler" + i)));

        Assert.True(Weight(shortChunk, "budget") > Weight(longChunk, "budget"));
    }

    [Fact]
    public void EncodeDocument_MoreOccurrences_WeighMoreButSaturate()
    {
        var encoder = new Bm25SparseEncoder();
        var weights = Enumerable.Range(1, 6)
            .Select(n => Weight(encoder.EncodeDocument(string.Join(' ', Enumerable.Repeat("otter", n)) + " pad pad pad"), "otter"))
            .ToList();

        for (var i = 1; i < weights.Count; i++)
        {
            Assert.True(weights[i] > weights[i - 1]);
        }

        Assert.All(weights, w => Assert.True(w < encoder.K1 + 1, "BM25's term weight is bounded by k1 + 1"));
    }

    [Fact]
    public void EncodeDocument_IndicesAscendingAndDistinct_AndStopwordsIgnored()
    {
        var vector = new Bm25SparseEncoder().EncodeDocument("the walrus and the penguin and the walrus of the sea");

        Assert.Equal(vector.Indices.Order().ToArray(), vector.Indices);
        Assert.Equal(vector.Indices.Length, vector.Indices.Distinct().Count());
        Assert.Equal(3, vector.Count);
        Assert.DoesNotContain(Bm25SparseEncoder.TermId("the"), vector.Indices);
    }

    [Fact]
    public void EncodeQuery_DistinctTerms_EachWeightOne()
    {
        var vector = Bm25SparseEncoder.EncodeQuery("Walrus WALRUS penguins PENGUIN");

        Assert.Equal(2, vector.Count);
        Assert.All(vector.Values, value => Assert.Equal(1f, value));
        Assert.Contains(Bm25SparseEncoder.TermId("walru"), vector.Indices);
        Assert.Contains(Bm25SparseEncoder.TermId("penguin"), vector.Indices);
    }

    [Fact]
    public void EncodeQuery_SameTextAsDocument_SharesEveryTermId()
    {
        const string text = "Quarterly budgets were reviewed by the finance committee";

        var query = Bm25SparseEncoder.EncodeQuery(text);
        var document = new Bm25SparseEncoder().EncodeDocument(text);

        Assert.Equal(document.Indices, query.Indices);
    }

    [Fact]
    public void EncodeQuery_OnlyStopwords_IsEmpty()
    {
        Assert.Equal(0, Bm25SparseEncoder.EncodeQuery("the and of or not").Count);
    }

    private static double Weight(SparseTerms vector, string term) =>
        vector.Values[Array.IndexOf(vector.Indices, Bm25SparseEncoder.TermId(term))];
}
