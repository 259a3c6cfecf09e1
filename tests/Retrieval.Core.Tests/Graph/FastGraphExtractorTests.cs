using Retrieval.Core.Graph;

namespace Retrieval.Core.Tests.Graph;

public sealed class FastGraphExtractorTests
{
    private static DocumentGraph Extract(params string[] chunks) =>
        FastGraphExtractor.Extract([.. chunks.Select((text, i) => ($"c{i}", text))]);

    private static IReadOnlyList<EntityMention> Mentions(DocumentGraph graph, string chunkId = "c0") =>
        graph.Chunks.Single(c => c.ChunkId == chunkId).Mentions;

    [Fact]
    public void Extract_CapitalizedMultiWordNames_WithConnectors()
    {
        var graph = Extract("The journal is published by the American Psychological Association. Its editor works at the University of North Texas.");

        var keys = Mentions(graph).Select(m => m.Key).ToList();
        Assert.Contains("american psychological association", keys);
        Assert.Contains("university of north texas", keys);
        Assert.Equal(EntityTypes.Organization, Mentions(graph).Single(m => m.Key == "university of north texas").Type);
    }

    [Fact]
    public void Extract_SentenceInitialCommonWords_AreNotEntities()
    {
        var graph = Extract("However, the results were clear. Scientists found nothing. The Foundation agreed with Alice Smith.");

        var keys = Mentions(graph).Select(m => m.Key).ToList();
        Assert.DoesNotContain("however", keys);
        Assert.DoesNotContain("scientists", keys);
        Assert.Contains("foundation", keys); // "The" is dropped; "Foundation" itself is not sentence-initial
        Assert.Contains("alice smith", keys);
    }

    [Fact]
    public void Extract_AcronymsAndQuotedTitles()
    {
        var graph = Extract("The song ``Hello Love'' was released by NASA Records. The NASA archive keeps it.");

        var mentions = Mentions(graph);
        Assert.Equal(EntityTypes.Title, mentions.Single(m => m.Key == "hello love").Type);
        Assert.Contains(mentions, m => m.Key == "nasa");
    }

    [Fact]
    public void Extract_Contractions_AreNeverNames()
    {
        var graph = Extract("\"I'll go,\" said Scrooge. \"Don't,\" said Marley. Scrooge left.");

        var keys = Mentions(graph).Select(m => m.Key).ToList();
        Assert.DoesNotContain("ill", keys);
        Assert.DoesNotContain("dont", keys);
        Assert.Contains("scrooge", keys);
    }

    [Fact]
    public void Extract_Surname_MergesIntoTheOneFullName()
    {
        var graph = Extract("Ebenezer Scrooge kept the office. Everyone feared Scrooge. Later Scrooge laughed.");

        var mention = Assert.Single(Mentions(graph), m => m.Key == "ebenezer scrooge");
        Assert.Contains("scrooge", mention.Aliases);
        Assert.Equal(3, mention.Count);
        Assert.DoesNotContain(Mentions(graph), m => m.Key == "scrooge");
    }

    [Fact]
    public void Extract_AmbiguousSurname_StaysItsOwnEntity()
    {
        var graph = Extract("Bob Cratchit and Martha Cratchit sat down. Everyone thanked Cratchit.");

        Assert.Contains(Mentions(graph), m => m.Key == "cratchit" && m.Aliases.Count == 0);
    }

    [Fact]
    public void Extract_Acronym_MergesIntoItsExpansion()
    {
        var graph = Extract("The Internet Engineering Task Force published a report. Later the IETF revised it.");

        var mention = Assert.Single(Mentions(graph), m => m.Key == "internet engineering task force");
        Assert.Contains("ietf", mention.Aliases);
        Assert.Equal(2, mention.Count);
    }

    [Fact]
    public void Extract_Relations_WeightedByCloseness()
    {
        var graph = Extract("Alice Smith met Bob Jones in Paris. Nothing happened. Much later, Carol White arrived. Then nothing else.");

        var relations = graph.Chunks.Single().Relations.ToDictionary(r => (r.SourceKey, r.TargetKey), r => r.Weight);
        Assert.Equal(1.0, relations[("alice smith", "bob jones")]);
        Assert.Equal(1.0 / 3, relations[("alice smith", "carol white")], 3);
        Assert.True(relations.Keys.All(k => string.CompareOrdinal(k.SourceKey, k.TargetKey) < 0));
    }

    [Fact]
    public void Extract_FarApartEntities_AreNotRelated()
    {
        var graph = Extract("Alice Smith spoke. One. Two. Three. Bob Jones answered.");

        Assert.Empty(graph.Chunks.Single().Relations);
    }

    [Fact]
    public void Extract_EntitiesAcrossChunks_KeepTheirChunk()
    {
        var graph = Extract("Ada Lovelace wrote notes.", "Nothing here.", "Charles Babbage built engines.");

        Assert.Equal(["c0", "c2"], graph.Chunks.Select(c => c.ChunkId));
        Assert.Equal(FastGraphExtractor.Name, graph.Extractor);
    }
}
