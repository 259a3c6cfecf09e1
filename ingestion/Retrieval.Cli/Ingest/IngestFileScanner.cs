using Retrieval.Cli.Infrastructure;

namespace Retrieval.Cli.Ingest;

/// <summary>A local file to upload. <see cref="Name"/> becomes the document's source and id on the service.</summary>
public sealed record IngestFile(string FullPath, string Name, long Length);

public sealed record IngestScan(IReadOnlyList<IngestFile> Files, IReadOnlyList<string> Skipped, int HiddenFolders)
{
    public long TotalBytes => Files.Sum(f => f.Length);
}

/// <summary>
/// Expands the paths given to <c>retrieval ingest</c>: a file is sent under its own name, a folder's files under
/// their path relative to that folder with forward slashes ("guide/intro.md"), so ids do not depend on the
/// machine or the directory the command ran from.
/// </summary>
public static class IngestFileScanner
{
    public static IngestScan Scan(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<IngestFile>();
        var skipped = new List<string>();
        var hiddenFolders = 0;

        foreach (var argument in paths)
        {
            var fullPath = Path.GetFullPath(argument);
            if (File.Exists(fullPath))
            {
                Add(fullPath, Path.GetFileName(fullPath));
            }
            else if (Directory.Exists(fullPath))
            {
                hiddenFolders += ScanFolder(fullPath, Add);
            }
            else
            {
                throw new CliException($"'{argument}' does not exist.", ExitCodes.Usage);
            }
        }

        var duplicates = files.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicates is not null)
        {
            throw new CliException(
                $"Two files would become the same document '{duplicates.Key}': "
                + string.Join(" and ", duplicates.Select(f => f.FullPath))
                + ". Ingest them in separate commands.");
        }

        return new IngestScan(files, skipped, hiddenFolders);

        void Add(string path, string name)
        {
            if (SupportedFiles.IsSupported(path) && !IsHidden(path))
            {
                files.Add(new IngestFile(path, name, new FileInfo(path).Length));
            }
            else
            {
                skipped.Add(path);
            }
        }
    }

    /// <summary>Depth-first, ordinal order, skipping hidden folders (hidden files count as skipped) and not following folder links (no cycles).</summary>
    private static int ScanFolder(string root, Action<string, string> add)
    {
        var hiddenFolders = 0;
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                add(file, Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'));
            }

            foreach (var child in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal).Reverse())
            {
                if (IsHidden(child))
                {
                    hiddenFolders++;
                }
                else if (new DirectoryInfo(child).LinkTarget is null)
                {
                    pending.Push(child);
                }
            }
        }

        return hiddenFolders;
    }

    private static bool IsHidden(string path) => Path.GetFileName(path).StartsWith('.');
}
