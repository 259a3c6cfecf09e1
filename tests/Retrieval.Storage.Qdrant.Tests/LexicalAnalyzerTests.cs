namespace Retrieval.Storage.Qdrant.Tests;

public sealed class LexicalAnalyzerTests
{
    [Fact]
    public void Terms_Sentence_LowercasesDropsStopwordsAndStems()
    {
        Assert.Equal(["servic", "kept", "run", "all", "night", "run"], LexicalAnalyzer.Terms("The service kept RUNNING all night, and runs."));
    }

    [Theory]
    [InlineData("run")]
    [InlineData("runs")]
    [InlineData("RUNNING")]
    [InlineData("Running!")]
    public void QueryTerms_InflectedForms_MatchTheDocumentsTerm(string query)
    {
        Assert.Contains(Assert.Single(LexicalAnalyzer.QueryTerms(query)), LexicalAnalyzer.Terms("the service kept running all night"));
    }

    [Fact]
    public void Terms_Diacritics_AreRemovedLikeFts5RemoveDiacritics()
    {
        Assert.Equal(LexicalAnalyzer.Terms("naive cafe resume"), LexicalAnalyzer.Terms("naïve café résumé"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("the and of")]
    [InlineData("AND OR NOT")]
    [InlineData("?!.,")]
    [InlineData("\"\"")]
    [InlineData("(((")]
    public void QueryTerms_NothingSearchable_IsEmpty(string query)
    {
        Assert.Empty(LexicalAnalyzer.QueryTerms(query));
    }

    [Theory]
    [InlineData("\"walrus", "walru")]
    [InlineData("text:walrus", "text walru")]
    [InlineData("NEAR(walrus notes, 2)", "near walru note 2")]
    [InlineData("walrus + notes ; DROP TABLE chunks; --", "walru note drop tabl chunk")]
    public void QueryTerms_SyntaxCharacters_AreOnlySeparators(string query, string expected)
    {
        Assert.Equal(expected.Split(' '), LexicalAnalyzer.QueryTerms(query));
    }

    [Fact]
    public void QueryTerms_LongQuery_KeepsTheFirstDistinctTerms()
    {
        var query = string.Join(' ', Enumerable.Range(0, 200).Select(i => "w" + i)) + " w0 w1";

        var terms = LexicalAnalyzer.QueryTerms(query);

        Assert.Equal(LexicalAnalyzer.MaxQueryTerms, terms.Count);
        Assert.Equal("w0", terms[0]);
        Assert.Equal(terms.Count, terms.Distinct(StringComparer.Ordinal).Count());
    }
}
