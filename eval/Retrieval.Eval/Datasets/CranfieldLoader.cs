using System.Globalization;
using System.Text;

namespace Retrieval.Eval.Datasets;

/// <summary>
/// Cranfield 1400 in SMART format: <c>cran.all.1400</c> (<c>.I</c> id, <c>.T</c> title, <c>.A</c> authors, <c>.B</c>
/// bibliography, <c>.W</c> text), <c>cran.qry</c> (<c>.I</c>, <c>.W</c>) and <c>cranqrel</c> (<c>qid docid code</c>).
/// The qrels number queries 1..225 by their position in <c>cran.qry</c> (its <c>.I</c> numbers have gaps), and a lower
/// code is more relevant (1 = complete answer … 4 = minimal interest, -1 = not relevant): gain = 5 - code.
/// </summary>
public static class CranfieldLoader
{
    public const string CorpusFile = "cran.all.1400";
    public const string QueriesFile = "cran.qry";
    public const string QrelsFile = "cranqrel";

    public static RetrievalDataset Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var corpusPath = Path.Combine(directory, CorpusFile);
        var corpus = ParseRecords(corpusPath)
            .Select(r => new CorpusDocument(r.Id, Clean(r.Field('T')), Clean(r.Field('W'))))
            .ToList();

        // Position, not the .I number, is the query id the qrels use.
        var queries = ParseRecords(Path.Combine(directory, QueriesFile))
            .Select((r, i) => new EvalQuery((i + 1).ToString(CultureInfo.InvariantCulture), Clean(r.Field('W'))))
            .ToList();
        var qrels = LoadQrels(Path.Combine(directory, QrelsFile), queries.Count, corpus.Select(d => d.Id).ToHashSet(StringComparer.Ordinal));
        return new RetrievalDataset(BeirLoader.DatasetName(directory), "all", "cranfield", corpus, queries, qrels);
    }

    /// <summary>Gain of a cranqrel relevance code: 1..4 → 4..1; -1 (or anything else outside 1..4) → 0.</summary>
    public static int Gain(int code) => code is >= 1 and <= 4 ? 5 - code : 0;

    internal static IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> LoadQrels(string path, int queryCount, IReadOnlySet<string> documentIds)
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

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3
                || !int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var query)
                || !int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var document)
                || !int.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
            {
                throw new DatasetFormatException(path, lineNumber, "expected three integers: query-number document-id relevance-code");
            }

            if (query < 1 || query > queryCount)
            {
                throw new DatasetFormatException(path, lineNumber, $"query number {query} is outside 1..{queryCount} (queries are numbered by position in {QueriesFile})");
            }

            if (code is not (-1 or 1 or 2 or 3 or 4))
            {
                throw new DatasetFormatException(path, lineNumber, $"relevance code {code} is not one of -1, 1, 2, 3, 4");
            }

            var documentId = document.ToString(CultureInfo.InvariantCulture);
            if (!documentIds.Contains(documentId))
            {
                throw new DatasetFormatException(path, lineNumber, $"document {documentId} is not in {CorpusFile}");
            }

            var queryId = query.ToString(CultureInfo.InvariantCulture);
            if (!qrels.TryGetValue(queryId, out var judged))
            {
                qrels[queryId] = judged = new Dictionary<string, int>(StringComparer.Ordinal);
            }

            judged[documentId] = Math.Max(judged.GetValueOrDefault(documentId), Gain(code));
        }

        return qrels.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, int>)p.Value, StringComparer.Ordinal);
    }

    /// <summary>Splits a SMART file into records; each starts with <c>.I id</c> and holds single-letter fields.</summary>
    internal static IReadOnlyList<SmartRecord> ParseRecords(string path)
    {
        JsonLines.RequireFile(path);
        var records = new List<SmartRecord>();
        SmartRecord? current = null;
        char? field = null;
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length >= 2 && line[0] == '.' && char.IsAsciiLetterUpper(line[1]) && (line.Length == 2 || char.IsWhiteSpace(line[2])))
            {
                var marker = line[1];
                if (marker == 'I')
                {
                    var id = line[2..].Trim();
                    if (!int.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < 0)
                    {
                        throw new DatasetFormatException(path, lineNumber, $"\".I\" must be followed by a record number, found \"{id}\"");
                    }

                    current = new SmartRecord(number.ToString(CultureInfo.InvariantCulture), lineNumber);
                    records.Add(current);
                    field = null;
                    continue;
                }

                if (marker is not ('T' or 'A' or 'B' or 'W'))
                {
                    throw new DatasetFormatException(path, lineNumber, $"unknown field marker \".{marker}\" (expected .I, .T, .A, .B or .W)");
                }

                if (current is null)
                {
                    throw new DatasetFormatException(path, lineNumber, $"field \".{marker}\" before the first \".I\" record");
                }

                field = marker;
                current.Start(marker);
                continue;
            }

            if (current is null || field is null)
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                throw new DatasetFormatException(path, lineNumber, current is null ? "text before the first \".I\" record" : "text outside any field (expected .T, .A, .B or .W first)");
            }

            current.Append(field.Value, line);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (!seen.Add(record.Id))
            {
                throw new DatasetFormatException(path, record.Line, $"duplicate record \".I {record.Id}\"");
            }

            if (!record.Has('W'))
            {
                throw new DatasetFormatException(path, record.Line, $"record \".I {record.Id}\" has no \".W\" text");
            }
        }

        return records;
    }

    /// <summary>SMART text is one token per space with " ." for full stops; collapse the layout whitespace.</summary>
    private static string Clean(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    internal sealed class SmartRecord
    {
        private readonly Dictionary<char, StringBuilder> _fields = [];

        public SmartRecord(string id, int line)
        {
            Id = id;
            Line = line;
        }

        public string Id { get; }

        public int Line { get; }

        public void Start(char field) => _fields.TryAdd(field, new StringBuilder());

        public void Append(char field, string line) => _fields[field].Append(line).Append('\n');

        public bool Has(char field) => _fields.ContainsKey(field);

        public string Field(char field) => _fields.TryGetValue(field, out var text) ? text.ToString() : string.Empty;
    }
}
