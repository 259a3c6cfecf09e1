using Retrieval.Core.Graph;

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
}
