using Retrieval.Eval.Cli;
using Retrieval.Eval.Datasets;
using Retrieval.Eval.Running;

namespace Retrieval.Eval.Tests;

public sealed class QuerySubsetTests
{
    private static readonly EvalQuery[] Queries = [.. Enumerable.Range(0, 7).Select(i => new EvalQuery($"q{i}", $"question {i}"))];

    [Fact]
    public void SelectQueries_TuneAndHeldOut_AreDisjointHalvesCoveringAll()
    {
        var tune = RetrievalEvaluator.SelectQueries(Queries, "tune");
        var heldOut = RetrievalEvaluator.SelectQueries(Queries, "heldout");

        Assert.Equal(["q0", "q2", "q4", "q6"], tune.Select(q => q.Id));
        Assert.Equal(["q1", "q3", "q5"], heldOut.Select(q => q.Id));
        Assert.Equal(Queries.Length, RetrievalEvaluator.SelectQueries(Queries, "all").Count);
    }

    [Fact]
    public void Parse_QueriesOption_IsValidated()
    {
        var options = EvalOptions.Parse(["retrieval", "--dataset", "x", "--queries", "HeldOut"]);
        Assert.Equal("heldout", options.Queries);
        Assert.Equal("all", EvalOptions.Parse(["retrieval", "--dataset", "x"]).Queries);

        var error = Assert.Throws<UsageException>(() => EvalOptions.Parse(["retrieval", "--dataset", "x", "--queries", "odd"]));
        Assert.Contains("--queries", error.Message, StringComparison.Ordinal);
    }
}
