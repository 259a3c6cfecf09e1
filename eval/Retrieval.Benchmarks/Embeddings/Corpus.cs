using System.Text.Json;

namespace Retrieval.Benchmarks.Embeddings;

/// <summary>Realistic passages: abstracts from a BEIR corpus.jsonl ({"_id","title","text"} per line).</summary>
internal static class Corpus
{
    private const string SciFact = "shared/datasets/scifact/corpus.jsonl";

    /// <summary>The shared SciFact corpus, looked for above the current directory (the shared/ folder sits beside or above the repository).</summary>
    public static string? FindDefault()
    {
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(directory.FullName, SciFact), Path.Combine(directory.FullName, "..", SciFact) })
            {
                if (File.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        return null;
    }

    public static List<string> ReadAbstracts(string path, int count)
    {
        var texts = new List<string>(count);
        foreach (var line in File.ReadLines(path))
        {
            if (texts.Count == count)
            {
                break;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var record = JsonDocument.Parse(line);
            if (record.RootElement.TryGetProperty("text", out var text) && text.GetString() is { Length: > 0 } abstractText)
            {
                texts.Add(abstractText);
            }
        }

        return texts;
    }
}
