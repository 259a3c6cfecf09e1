using Retrieval.Core.Graph;
using Retrieval.Llm;

namespace Retrieval.Api.Tests;

/// <summary>Parsing and grounding of LLM graph extraction replies, without a server.</summary>
public sealed class LlmGraphReplyTests
{
    private const string Text = "Ebenezer Scrooge's clerk, Bob Cratchit, works in a cold counting-house in London. Scrooge pays him little.";

    private static ChunkExtraction Parse(string reply)
    {
        Assert.True(LlmGraphReply.TryParse(reply, out var extraction, out var reason), reason);
        return extraction;
    }

    [Fact]
    public void TryParse_JsonInsideCodeFenceAndProse_IsRead()
    {
        var extraction = Parse("Here is the graph:\n```json\n{\"entities\":[{\"name\":\"Bob Cratchit\",\"type\":\"person\"}],\"relations\":[]}\n```");

        Assert.Equal("Bob Cratchit", Assert.Single(extraction.Entities).Name);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("I could not find any entities.", "malformed_json")]
    [InlineData("{\"entities\":[{\"name\":\"Bob Cratchit\"", "malformed_json")]
    [InlineData("{\"relations\":[]}", "schema")]
    [InlineData("{\"entities\":\"Bob Cratchit\"}", "schema")]
    [InlineData("{\"entities\":[{\"name\":42}]}", "schema")]
    [InlineData("{\"entities\":[{\"type\":\"person\"}]}", "schema")]
    [InlineData("{\"entities\":[{\"name\":\"Bob Cratchit\",\"aliases\":\"Bob\"}]}", "schema")]
    [InlineData("{\"entities\":[],\"relations\":[{\"source\":\"A\",\"target\":\"B\",\"strength\":\"high\"}]}", "schema")]
    [InlineData("{\"entities\":[],\"relations\":{}}", "schema")]
    [InlineData("[{\"name\":\"Bob Cratchit\"}]", "schema")]
    public void TryParse_UnusableReply_FailsWithReason(string reply, string reason)
    {
        Assert.False(LlmGraphReply.TryParse(reply, out _, out var actual));
        Assert.Equal(reason, actual);
    }

    [Fact]
    public void Ground_EntityNotInText_IsDroppedWithItsRelations()
    {
        var extraction = Parse("""
            {"entities":[{"name":"Bob Cratchit","type":"person"},{"name":"Jacob Marley","type":"person"},{"name":"London","type":"geo"}],
             "relations":[{"source":"Bob Cratchit","target":"Jacob Marley","strength":9},{"source":"Bob Cratchit","target":"London","strength":6}]}
            """);

        var (grounded, droppedEntities, droppedRelations) = LlmGraphReply.Ground(extraction, Text, 64, 128);

        Assert.Equal(["Bob Cratchit", "London"], grounded.Entities.Select(e => e.Name));
        Assert.Equal(1, droppedEntities);
        Assert.Equal(1, droppedRelations);
        Assert.Equal("London", Assert.Single(grounded.Relations).Target);
    }

    [Fact]
    public void Ground_NameNotInTextButAliasIs_AliasBecomesTheName()
    {
        var extraction = Parse("""{"entities":[{"name":"Ebenezer Scrooge the Miser","aliases":["Old Humbug","Scrooge","Mr. Ebenezer"]}]}""");

        var (grounded, dropped, _) = LlmGraphReply.Ground(extraction, Text, 64, 128);

        var entity = Assert.Single(grounded.Entities);
        Assert.Equal("Scrooge", entity.Name);
        Assert.Equal(["Mr. Ebenezer"], entity.Aliases); // normalized "ebenezer" occurs; "Old Humbug" does not
        Assert.Equal(0, dropped);
    }

    [Fact]
    public void ToChunkGraph_GroundedExtraction_KeysTypesCountsAndWeights()
    {
        var extraction = Parse("""
            {"entities":[{"name":"ebenezer scrooge","type":"Person","aliases":["Scrooge"]},{"name":"London","type":"city"},{"name":"counting-house","type":"building"}],
             "relations":[{"source":"Scrooge","target":"London","strength":8},{"source":"London","target":"Ebenezer Scrooge","strength":3}]}
            """);
        var (grounded, _, _) = LlmGraphReply.Ground(extraction, Text, 64, 128);

        var graph = LlmGraphReply.ToChunkGraph("c1", Text, grounded);

        Assert.NotNull(graph);
        var scrooge = graph.Mentions.Single(m => m.Key == "ebenezer scrooge");
        Assert.Equal("Ebenezer Scrooge", scrooge.Name); // the chunk's own spelling
        Assert.Equal(EntityTypes.Person, scrooge.Type);
        Assert.Equal(["scrooge"], scrooge.Aliases);
        Assert.Equal(3, scrooge.Count); // "ebenezer scrooge" once, "scrooge" twice (inside the full name and alone)
        Assert.Equal(EntityTypes.Place, graph.Mentions.Single(m => m.Key == "london").Type);
        Assert.Null(graph.Mentions.Single(m => m.Key == "counting house").Type);
        var relation = Assert.Single(graph.Relations);
        Assert.Equal(("ebenezer scrooge", "london", 0.8), (relation.SourceKey, relation.TargetKey, relation.Weight));
    }

    [Fact]
    public void Serialize_GroundedExtraction_RoundTripsThroughTryParse()
    {
        var extraction = Parse("""{"entities":[{"name":"Bob Cratchit","type":"person","description":"A clerk.","aliases":["Bob"]}],"relations":[]}""");

        var again = Parse(LlmGraphReply.Serialize(extraction));

        var entity = Assert.Single(again.Entities);
        Assert.Equal(("Bob Cratchit", "person", "A clerk.", "Bob"), (entity.Name, entity.Type, entity.Description, Assert.Single(entity.Aliases)));
    }
}
