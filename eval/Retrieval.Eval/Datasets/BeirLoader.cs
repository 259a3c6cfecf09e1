using System.Globalization;
using System.Text.Json;

namespace Retrieval.Eval.Datasets;

/// <summary>
/// BEIR layout: <c>corpus.jsonl</c> (<c>_id</c>, <c>title</c>, <c>text</c>), <c>queries.jsonl</c> (<c>_id</c>, <c>text</c>,
/// optionally <c>answer</c> and <c>answer_aliases</c>) and <c>qrels/&lt;split&gt;.tsv</c> with a header row.
/// </summary>
public static class BeirLoader
{
    public static RetrievalDataset Load(string directory, string split)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        var corpus = LoadCorpus(Path.Combine(directory, "corpus.jsonl"));
        var queries = LoadQueries(Path.Combine(directory, "queries.jsonl"));
        var qrels = LoadQrels(Path.Combine(directory, "qrels", split + ".tsv"));
        return new RetrievalDataset(DatasetName(directory), split, "beir", corpus, queries, qrels);
    }

    public static IReadOnlyList<CorpusDocument> LoadCorpus(string path)
    {
        var documents = new List<CorpusDocument>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (line, value) in JsonLines.Read(path))
        {
            var id = JsonLines.RequiredString(value, "_id", path, line);
            var text = JsonLines.RequiredString(value, "text", path, line);
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new DatasetFormatException(path, line, "\"_id\" is empty");
            }

            if (!seen.Add(id))
            {
                throw new DatasetFormatException(path, line, $"duplicate document id \"{id}\"");
            }

            documents.Add(new CorpusDocument(id, JsonLines.OptionalString(value, "title"), text));
        }

        return documents;
    }

    public static IReadOnlyList<EvalQuery> LoadQueries(string path)
    {
        var queries = new List<EvalQuery>();
        foreach (var (line, value) in JsonLines.Read(path))
        {
            var id = JsonLines.RequiredString(value, "_id", path, line);
            var text = JsonLines.RequiredString(value, "text", path, line);
            var answer = value.TryGetProperty("answer", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            var aliases = value.TryGetProperty("answer_aliases", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
                : [];
            queries.Add(new EvalQuery(id, text, answer, aliases));
        }

        return queries;
    }

    /// <summary>Reads <c>query-id corpus-id score</c> rows (tab or space separated) after a header row.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> LoadQrels(string path)
    {
        JsonLines.RequireFile(path);
        var qrels = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (lineNumber == 1)
            {
                if (fields.Length < 3 || !fields[0].Equals("query-id", StringComparison.OrdinalIgnoreCase))
                {
                    throw new DatasetFormatException(path, lineNumber, "expected the header \"query-id\tcorpus-id\tscore\"");
                }

                continue;
            }

            if (fields.Length != 3)
            {
                throw new DatasetFormatException(path, lineNumber, $"expected 3 fields (query-id, corpus-id, score), found {fields.Length}");
            }

            if (!int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var score))
            {
                throw new DatasetFormatException(path, lineNumber, $"score \"{fields[2]}\" is not an integer");
            }

            if (!qrels.TryGetValue(fields[0], out var judged))
            {
                qrels[fields[0]] = judged = new Dictionary<string, int>(StringComparer.Ordinal);
            }

            judged[fields[1]] = score;
        }

        return qrels.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, int>)p.Value, StringComparer.Ordinal);
    }

    internal static string DatasetName(string directory) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
}
