namespace Retrieval.Eval.Datasets;

/// <summary>One corpus document as the dataset gives it.</summary>
public sealed record CorpusDocument(string Id, string Title, string Text);

/// <summary>One query; MuSiQue questions also carry their gold answer and its aliases.</summary>
public sealed record EvalQuery(string Id, string Text, string? Answer = null, IReadOnlyList<string>? AnswerAliases = null);

/// <summary>A retrieval test collection: corpus, queries and graded judgments (gain &gt; 0 is relevant).</summary>
public sealed class RetrievalDataset
{
    public RetrievalDataset(
        string name,
        string split,
        string format,
        IReadOnlyList<CorpusDocument> corpus,
        IReadOnlyList<EvalQuery> queries,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> qrels)
    {
        Name = name;
        Split = split;
        Format = format;
        Corpus = corpus;
        Queries = queries;
        Qrels = qrels;
    }

    public string Name { get; }

    public string Split { get; }

    public string Format { get; }

    public IReadOnlyList<CorpusDocument> Corpus { get; }

    /// <summary>Every query of the dataset, judged or not, in file order.</summary>
    public IReadOnlyList<EvalQuery> Queries { get; }

    /// <summary>query id → document id → gain (graded; 0 or less means judged not relevant).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Qrels { get; }

    /// <summary>The queries that have at least one relevant judgment, in file order: the ones metrics average over.</summary>
    public IReadOnlyList<EvalQuery> JudgedQueries() =>
        Queries.Where(q => Qrels.TryGetValue(q.Id, out var judged) && judged.Values.Any(g => g > 0)).ToList();

    /// <summary>
    /// A deterministic sub-collection: the first <paramref name="queryCount"/> judged queries, every document judged
    /// relevant for them, plus the first <paramref name="distractors"/> other documents in corpus order.
    /// </summary>
    public RetrievalDataset Slice(int queryCount, int distractors, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(queryCount);
        ArgumentOutOfRangeException.ThrowIfNegative(distractors);
        var queries = JudgedQueries().Take(queryCount).ToList();
        var qrels = queries.ToDictionary(q => q.Id, q => Qrels[q.Id], StringComparer.Ordinal);
        var relevant = qrels.Values.SelectMany(j => j.Where(p => p.Value > 0).Select(p => p.Key)).ToHashSet(StringComparer.Ordinal);
        var corpus = Corpus.Where(d => relevant.Contains(d.Id))
            .Concat(Corpus.Where(d => !relevant.Contains(d.Id)).Take(distractors))
            .ToList();
        return new RetrievalDataset(name, Split, Format, corpus, queries, qrels);
    }
}

/// <summary>One labelled (document, claim) pair for the groundedness detector; <see cref="Group"/> is the domain.</summary>
public sealed record GroundednessExample(string Group, string Document, string Claim, bool Consistent);
