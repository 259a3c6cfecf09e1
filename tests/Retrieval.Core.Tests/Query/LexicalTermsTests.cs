using Retrieval.Core.Query;

namespace Retrieval.Core.Tests.Query;

public sealed class LexicalTermsTests
{
    [Fact]
    public void Words_QuerySyntax_IsSeparatorNotTerm()
    {
        Assert.Equal(["title", "walrus", "near", "a", "b", "naïve", "x1"], LexicalTerms.Words("title:WALRUS NEAR(* a:b) ^\"Naïve\" -x1"));
        Assert.Empty(LexicalTerms.Words("  * ^ - \" ( ) : "));
        Assert.Empty(LexicalTerms.Words(null));
    }

    [Fact]
    public void Distinct_ManyRepeatedTerms_KeepsFirstDistinctUpToTheCap()
    {
        var words = Enumerable.Range(0, 200).Select(i => $"w{i % 100}").ToList();

        var distinct = LexicalTerms.Distinct(words);

        Assert.Equal(LexicalTerms.MaxQueryTerms, distinct.Count);
        Assert.Equal("w0", distinct[0]);
        Assert.Equal($"w{LexicalTerms.MaxQueryTerms - 1}", distinct[^1]);
        Assert.Equal(["b", "a"], LexicalTerms.Distinct(["b", "a", "b"], 5));
    }
}
