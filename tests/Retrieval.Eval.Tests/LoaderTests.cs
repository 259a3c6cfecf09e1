using Retrieval.Eval.Datasets;

namespace Retrieval.Eval.Tests;

public class LoaderTests
{
    private const string Queries = """{"_id":"q1","text":"alpha"}""" + "\n";
    private const string Qrels = "query-id\tcorpus-id\tscore\nq1\td1\t1\n";

    [Fact]
    public void Beir_ValidFolder_LoadsCorpusQueriesAndQrels()
    {
        using var dir = new TempDirectory();
        dir.Write("corpus.jsonl", """{"_id":"d1","title":"T","text":"alpha beta"}""" + "\n" + """{"_id":"d2","text":"gamma"}""" + "\n");
        dir.Write("queries.jsonl", """{"_id":"q1","text":"alpha","answer":"beta","answer_aliases":["b"]}""" + "\n");
        dir.Write("qrels/train.tsv", Qrels);

        var dataset = BeirLoader.Load(dir.Path, "train");

        Assert.Equal(2, dataset.Corpus.Count);
        Assert.Equal(string.Empty, dataset.Corpus[1].Title);
        Assert.Equal("beta", dataset.Queries[0].Answer);
        Assert.Equal(["b"], dataset.Queries[0].AnswerAliases!);
        Assert.Equal(1, dataset.Qrels["q1"]["d1"]);
    }

    [Fact]
    public void Beir_BrokenJsonLine_NamesFileAndLine()
    {
        using var dir = new TempDirectory();
        var corpus = dir.Write("corpus.jsonl", """{"_id":"d1","text":"ok"}""" + "\n" + """{"_id":"d2","text": oops}""" + "\n");
        dir.Write("queries.jsonl", Queries);
        dir.Write("qrels/train.tsv", Qrels);

        var ex = Assert.Throws<DatasetFormatException>(() => BeirLoader.Load(dir.Path, "train"));

        Assert.Equal(corpus, ex.FilePath);
        Assert.Equal(2, ex.Line);
        Assert.StartsWith(corpus + ":2:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Beir_MissingId_NamesFieldAndLine()
    {
        using var dir = new TempDirectory();
        dir.Write("corpus.jsonl", """{"_id":"d1","text":"ok"}""" + "\n\n" + """{"title":"x","text":"no id"}""" + "\n");
        dir.Write("queries.jsonl", Queries);
        dir.Write("qrels/train.tsv", Qrels);

        var ex = Assert.Throws<DatasetFormatException>(() => BeirLoader.Load(dir.Path, "train"));

        Assert.Equal(3, ex.Line);
        Assert.Contains("\"_id\"", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("q1\td1\t1\n", 1, "header")]
    [InlineData("query-id\tcorpus-id\tscore\nq1\td1\n", 2, "3 fields")]
    [InlineData("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\thigh\n", 3, "not an integer")]
    public void Beir_MalformedQrels_NamesLine(string qrels, int line, string problem)
    {
        using var dir = new TempDirectory();
        dir.Write("corpus.jsonl", """{"_id":"d1","text":"ok"}""" + "\n");
        dir.Write("queries.jsonl", Queries);
        var path = dir.Write("qrels/train.tsv", qrels);

        var ex = Assert.Throws<DatasetFormatException>(() => BeirLoader.Load(dir.Path, "train"));

        Assert.Equal(path, ex.FilePath);
        Assert.Equal(line, ex.Line);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    private static void WriteCranfield(TempDirectory dir, string qrels)
    {
        dir.Write("cran.all.1400", ".I 1\n.T\nwing flutter\n.A\nsmith\n.B\nj. 1\n.W\nwing flutter\nat high speed .\n.I 2\n.T\nboundary layer\n.W\nboundary layer transition .\n.I 3\n.W\nheat transfer .\n");

        // .I numbers with gaps: 001, 002, 004. The qrels number them 1, 2, 3 by position.
        dir.Write("cran.qry", ".I 001\n.W\nwing flutter ?\n.I 002\n.W\nboundary layer ?\n.I 004\n.W\nheat transfer ?\n");
        dir.Write("cranqrel", qrels);
    }

    [Fact]
    public void Cranfield_NumbersQueriesByPosition_AndConvertsCodesToGains()
    {
        using var dir = new TempDirectory();
        WriteCranfield(dir, "1 1 2\n2 2 1\n3 3 4\n3 1 -1\n");

        var dataset = CranfieldLoader.Load(dir.Path);

        Assert.Equal(["1", "2", "3"], dataset.Queries.Select(q => q.Id));
        Assert.Equal("heat transfer ?", dataset.Queries[2].Text);
        Assert.Equal(3, dataset.Qrels["1"]["1"]);
        Assert.Equal(4, dataset.Qrels["2"]["2"]);
        Assert.Equal(1, dataset.Qrels["3"]["3"]);
        Assert.Equal(0, dataset.Qrels["3"]["1"]);
        Assert.Equal("wing flutter", dataset.Corpus[0].Title);
        Assert.Equal("wing flutter at high speed .", dataset.Corpus[0].Text);
        Assert.Equal(3, dataset.JudgedQueries().Count);
    }

    [Fact]
    public void Cranfield_QueryNumberBeyondPositions_NamesLine()
    {
        using var dir = new TempDirectory();

        // "4" is the .I number of the third query, but there is no fourth query by position.
        WriteCranfield(dir, "1 1 2\n4 3 1\n");

        var ex = Assert.Throws<DatasetFormatException>(() => CranfieldLoader.Load(dir.Path));

        Assert.EndsWith("cranqrel", ex.FilePath, StringComparison.Ordinal);
        Assert.Equal(2, ex.Line);
        Assert.Contains("by position", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cranfield_UnknownMarker_NamesFileAndLine()
    {
        using var dir = new TempDirectory();
        WriteCranfield(dir, "1 1 2\n");
        var path = dir.Write("cran.all.1400", ".I 1\n.W\ntext\n.X\nbad\n");

        var ex = Assert.Throws<DatasetFormatException>(() => CranfieldLoader.Load(dir.Path));

        Assert.Equal(path, ex.FilePath);
        Assert.Equal(4, ex.Line);
    }

    [Fact]
    public void SummEdits_LoadsEveryDomainFile_WithNumericOrStringLabels()
    {
        using var dir = new TempDirectory();
        dir.Write("summedits_news.json", """[{"id":"1","doc":"D","summary":"S","label":1},{"id":"2","doc":"D","summary":"S2","label":"0"}]""");
        dir.Write("summedits_podcast.json", """[{"doc":"P","summary":"Q","label":"1"}]""");

        var examples = SummEditsLoader.Load(dir.Path);

        Assert.Equal(3, examples.Count);
        Assert.Equal(["news", "news", "podcast"], examples.Select(e => e.Group));
        Assert.Equal([true, false, true], examples.Select(e => e.Consistent));
    }

    [Fact]
    public void SummEdits_BadLabel_NamesFileAndLine()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("summedits_news.json", "[\n  {\"doc\": \"D\", \"summary\": \"S\", \"label\": 1},\n  {\"doc\": \"D\", \"summary\": \"S\", \"label\": \"maybe\"}\n]");

        var ex = Assert.Throws<DatasetFormatException>(() => SummEditsLoader.Load(dir.Path));

        Assert.Equal(path, ex.FilePath);
        Assert.Equal(3, ex.Line);
        Assert.Contains("label", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SummEdits_MissingField_NamesFile()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("summedits_news.json", "[\n  {\"doc\": \"D\", \"label\": 1}\n]");

        var ex = Assert.Throws<DatasetFormatException>(() => SummEditsLoader.Load(dir.Path));

        Assert.Equal(path, ex.FilePath);
        Assert.Contains("summary", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Qags_MajorityOfVotesDecides()
    {
        using var dir = new TempDirectory();
        dir.Write("mturk_xsum.jsonl",
            """{"article":"A","summary_sentences":[{"sentence":"s1","responses":[{"response":"yes"},{"response":"no"},{"response":"yes"}]},{"sentence":"s2","responses":[{"response":"no"},{"response":"no"},{"response":"yes"}]}]}""" + "\n");

        var examples = QagsLoader.Load(dir.Path);

        Assert.Equal(["xsum", "xsum"], examples.Select(e => e.Group));
        Assert.Equal([true, false], examples.Select(e => e.Consistent));
    }

    [Fact]
    public void Qags_BadVote_NamesFileAndLine()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("mturk_cnndm.jsonl",
            """{"article":"A","summary_sentences":[{"sentence":"s1","responses":[{"response":"yes"}]}]}""" + "\n" +
            """{"article":"A","summary_sentences":[{"sentence":"s1","responses":[{"response":"perhaps"}]}]}""" + "\n");

        var ex = Assert.Throws<DatasetFormatException>(() => QagsLoader.Load(dir.Path));

        Assert.Equal(path, ex.FilePath);
        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void Slice_IsDeterministic_AndKeepsRelevantDocuments()
    {
        var corpus = Enumerable.Range(0, 20).Select(i => new CorpusDocument("d" + i, string.Empty, "text " + i)).ToList();
        var queries = new[] { new EvalQuery("q0", "a"), new EvalQuery("q1", "b"), new EvalQuery("q2", "c") };
        var qrels = new Dictionary<string, IReadOnlyDictionary<string, int>>
        {
            ["q0"] = new Dictionary<string, int> { ["d15"] = 1 },
            ["q2"] = new Dictionary<string, int> { ["d19"] = 1 },
        };
        var dataset = new RetrievalDataset("x", "train", "beir", corpus, queries, qrels);

        var slice = dataset.Slice(1, 3, "x-slice");

        Assert.Equal(["q0"], slice.Queries.Select(q => q.Id));
        Assert.Equal(["d15", "d0", "d1", "d2"], slice.Corpus.Select(d => d.Id));
    }
}
