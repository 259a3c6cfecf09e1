using Retrieval.Core.Graph;
using Retrieval.Core.Storage;

namespace Retrieval.Core.Tests.Graph;

public sealed class GraphRankingTests
{
    private static GraphEntity Entity(string id, int chunks) => new(id, id.ToUpperInvariant(), null, chunks, chunks);

    [Fact]
    public void Rank_TwoHopChunk_ReachedThroughBridgeEntity_WithExplanation()
    {
        // Query entity "journal" is in chunk A with "association"; chunk B mentions "association" and "hall".
        // Chunk C mentions only "unrelated". B must rank (via the bridge), C must not.
        var subgraph = new EntityChunkGraph(
            [Entity("journal", 1), Entity("association", 2), Entity("hall", 1), Entity("unrelated", 1)],
            ["A", "B", "C"],
            [new(0, 0, 1), new(1, 0, 1), new(1, 1, 1), new(2, 1, 1), new(3, 2, 1)]);
        var linked = new[] { new LinkedEntity(subgraph.Entities[0], "journal") };

        var result = GraphRetriever.Rank(subgraph, linked, [], 0, 0.5, 10);

        Assert.Equal(["A", "B"], result.Chunks.Select(c => c.ChunkId));
        var step = Assert.Single(result.Explanations["B"].Entities, s => s.EntityId == "association");
        Assert.False(step.FromQuery);
        Assert.Equal("journal", step.Bridge!.QueryEntityId);
        Assert.Equal("A", step.Bridge.ChunkId);
        Assert.Contains(result.Explanations["A"].Entities, s => s.EntityId == "journal" && s.FromQuery);
    }

    [Fact]
    public void Select_LongestMatch_WinsOverItsWords()
    {
        var spans = QueryLinker.Spans("Who published the Journal of Psychotherapy Integration?");
        var matched = new HashSet<string> { "journal of psychotherapy integration", "psychotherapy", "integration" };

        var chosen = QueryLinker.Select(spans, matched);

        Assert.Equal(["journal of psychotherapy integration"], chosen.Select(s => s.Key));
    }
    [Fact]
    public void Spans_NamesOnly_CasedQueryLinksOnlyNameLikeSpans()
    {
        var keys = QueryLinker.Spans("Does breast cancer respond to ALDH1 in the UK? Bubye River flows. Patients improve.", namesOnly: true)
            .Select(s => s.Key).ToHashSet();

        Assert.Contains("aldh1", keys);
        Assert.Contains("uk", keys);
        Assert.Contains("bubye river", keys); // sentence start, but a further capitalized word
        Assert.DoesNotContain("breast cancer", keys);
        Assert.DoesNotContain("cancer", keys);
        Assert.DoesNotContain("bubye", keys); // a lone sentence-initial capital says nothing
        Assert.DoesNotContain("patients", keys);
    }

    [Fact]
    public void Spans_NamesOnly_LowerCaseQueryLinksAnySpan()
    {
        var keys = QueryLinker.Spans("who funds acme robotics", namesOnly: true).Select(s => s.Key).ToHashSet();

        Assert.Contains("acme robotics", keys);
        Assert.Contains("robotics", keys);
    }

    [Fact]
    public void Rank_PassageTemperature_WeightsSeedsBySoftmaxOfScores()
    {
        // Two passage seeds, no edges: each keeps its restart mass, so the ranks show the seed weights.
        var subgraph = new EntityChunkGraph([Entity("x", 1)], ["A", "B"], [new(0, 0, 1)]);
        var linked = new[] { new LinkedEntity(subgraph.Entities[0], "x") };
        ScoredChunk[] passages = [new("A", 0.60), new("B", 0.55)];

        var byRank = GraphRetriever.Rank(subgraph, linked, passages, 1.0, 0.5, 10);
        var byScore = GraphRetriever.Rank(subgraph, linked, passages, 1.0, 0.5, 10, passageTemperature: 0.01);

        double Mass(GraphRetrieval r, string id) => r.Chunks.Single(c => c.ChunkId == id).Score;
        Assert.InRange(Mass(byScore, "A") / Mass(byScore, "B"), 100, double.MaxValue); // e^5 ≈ 148, B is isolated
        Assert.InRange(Mass(byRank, "A") / Mass(byRank, "B"), 1.5, 3);
    }
}
