using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Retrieval.Benchmarks.Load;

/// <summary>A document of the benchmark corpus, read in place from ../shared/datasets (never copied).</summary>
internal sealed record BenchDocument(string Id, string Title, string Text);

/// <summary>
/// Real public text for throughput and latency benchmarks: SciFact abstracts, MuSiQue paragraphs, Cranfield
/// abstracts, QAGS and SummEdits source articles (deduplicated) and A Christmas Carol in ~4 KB parts.
/// </summary>
internal static class BenchCorpus
{
    public static IEnumerable<BenchDocument> SciFact(string datasets) => Beir(Path.Combine(datasets, "scifact"), "scifact");

    public static IEnumerable<BenchDocument> All(string datasets)
    {
        foreach (var doc in SciFact(datasets))
        {
            yield return doc;
        }

        foreach (var doc in Beir(Path.Combine(datasets, "musique"), "musique"))
        {
            yield return doc;
        }

        foreach (var doc in Cranfield(Path.Combine(datasets, "cranfield", "cran.all.1400")))
        {
            yield return doc;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(datasets, "qags"), "*.jsonl").Order(StringComparer.Ordinal))
        {
            var n = 0;
            foreach (var line in File.ReadLines(file))
            {
                using var json = JsonDocument.Parse(line);
                var article = json.RootElement.GetProperty("article").GetString() ?? string.Empty;
                if (seen.Add(article))
                {
                    yield return new BenchDocument($"qags/{Path.GetFileNameWithoutExtension(file)}/{n++}", "News article", article);
                }
            }
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(datasets, "summedits"), "summedits_*.json").Order(StringComparer.Ordinal))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var n = 0;
            foreach (var item in json.RootElement.EnumerateArray())
            {
                var doc = item.GetProperty("doc").GetString() ?? string.Empty;
                if (seen.Add(doc))
                {
                    yield return new BenchDocument($"summedits/{Path.GetFileNameWithoutExtension(file)}/{n++}", "Source document", doc);
                }
            }
        }

        var book = File.ReadAllText(Path.Combine(datasets, "christmas_carol", "book.txt"));
        var part = 0;
        for (var start = 0; start < book.Length; start += 4096)
        {
            yield return new BenchDocument($"carol/{part++}", "A Christmas Carol", book.Substring(start, Math.Min(4096, book.Length - start)));
        }
    }

    /// <summary>
    /// The documents of <see cref="All"/> whose source (the id's first segment: scifact, musique, cranfield, qags,
    /// summedits, carol) is in <paramref name="sources"/>; all of them when it is null or empty.
    /// </summary>
    public static IEnumerable<BenchDocument> Select(string datasets, string? sources)
    {
        var wanted = (sources ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return wanted.Count == 0 ? All(datasets) : All(datasets).Where(d => wanted.Contains(d.Id[..d.Id.IndexOf('/', StringComparison.Ordinal)]));
    }

    /// <summary>MuSiQue's multi-hop questions (they name entities, so they exercise the graph retriever).</summary>
    public static IReadOnlyList<string> MusiqueQueries(string datasets) =>
        [.. File.ReadLines(Path.Combine(datasets, "musique", "queries.jsonl")).Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            return json.RootElement.GetProperty("text").GetString()!;
        })];

    /// <summary>Query texts: SciFact claims then Cranfield queries.</summary>
    public static IReadOnlyList<string> Queries(string datasets)
    {
        var queries = new List<string>();
        foreach (var line in File.ReadLines(Path.Combine(datasets, "scifact", "queries.jsonl")))
        {
            using var json = JsonDocument.Parse(line);
            queries.Add(json.RootElement.GetProperty("text").GetString()!);
        }

        var current = new StringBuilder();
        foreach (var line in File.ReadLines(Path.Combine(datasets, "cranfield", "cran.qry")))
        {
            if (line.StartsWith(".I", StringComparison.Ordinal))
            {
                Flush();
            }
            else if (!line.StartsWith(".W", StringComparison.Ordinal))
            {
                current.Append(line).Append(' ');
            }
        }

        Flush();
        return queries;

        void Flush()
        {
            if (current.Length > 0)
            {
                queries.Add(current.ToString().Trim());
                current.Clear();
            }
        }
    }

    /// <summary>Deterministic ACL mix: 40% public, the rest spread over three groups and fifty users.</summary>
    public static string[] AclFor(int index) => (index % 10) switch
    {
        < 4 => ["public"],
        4 or 5 => ["group:eng"],
        6 or 7 => ["group:hr"],
        8 => ["group:sales"],
        _ => [$"user:u{(index / 10) % 50}"],
    };

    private static IEnumerable<BenchDocument> Beir(string folder, string prefix)
    {
        foreach (var line in File.ReadLines(Path.Combine(folder, "corpus.jsonl")))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var id = root.GetProperty("_id").ValueKind == JsonValueKind.String ? root.GetProperty("_id").GetString()! : root.GetProperty("_id").GetRawText();
            yield return new BenchDocument($"{prefix}/{id}", root.GetProperty("title").GetString() ?? string.Empty, root.GetProperty("text").GetString() ?? string.Empty);
        }
    }

    private static IEnumerable<BenchDocument> Cranfield(string path)
    {
        string? id = null;
        var title = new StringBuilder();
        var text = new StringBuilder();
        StringBuilder? field = null;
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(".I", StringComparison.Ordinal))
            {
                if (id is not null)
                {
                    yield return new BenchDocument($"cranfield/{id}", title.ToString().Trim(), text.ToString().Trim());
                }

                id = line[2..].Trim();
                title.Clear();
                text.Clear();
                field = null;
            }
            else if (line.StartsWith('.') && line.Length == 2)
            {
                field = line[1] switch { 'T' => title, 'W' => text, _ => null };
            }
            else
            {
                field?.Append(line).Append(' ');
            }
        }

        if (id is not null)
        {
            yield return new BenchDocument($"cranfield/{id}", title.ToString().Trim(), text.ToString().Trim());
        }
    }

    public static string FindDatasets(string? configured)
    {
        if (configured is not null)
        {
            return Path.GetFullPath(configured);
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "datasets");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("shared/datasets not found above the working directory; pass --datasets DIR.");
    }

    public static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public static int IntArg(string[] args, string name, int fallback) =>
        int.Parse(Arg(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
}
