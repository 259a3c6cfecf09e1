namespace Retrieval.Eval.Cli;

/// <summary>Default locations, relative to the repository (the folder holding <c>Retrieval.sln</c>) when there is one.</summary>
public static class RepositoryPaths
{
    public static string Root(string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Retrieval.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    /// <summary>The persistent, git-ignored store for one corpus and model: a second run reuses its embeddings.</summary>
    public static string CacheStore(string name, string? start = null) => Path.Combine(Root(start), "eval", ".cache", name);
}
