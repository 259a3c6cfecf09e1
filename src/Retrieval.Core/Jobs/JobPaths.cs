using Microsoft.Extensions.Options;
using Retrieval.Core.Options;

namespace Retrieval.Core.Jobs;

/// <summary>
/// Server-side paths for ingestion jobs: only files under a configured allowed root, after resolving
/// ".." and symbolic links (compared case-sensitively), may be read. Folders expand to the supported files beneath them.
/// </summary>
public sealed class JobPaths
{
    private readonly IOptionsMonitor<IngestionOptions> _options;

    public JobPaths(IOptionsMonitor<IngestionOptions> options) => _options = options;

    /// <summary>Expands paths into files under the allowed roots; throws <see cref="ValidationException"/> for anything else.</summary>
    public IReadOnlyList<string> Expand(IEnumerable<string> paths, Func<string, bool> isSupported)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(isSupported);
        var options = _options.CurrentValue;
        if (options.AllowedRoots.Count == 0)
        {
            throw new ValidationException("Server-side paths are disabled: no allowed roots are configured (Retrieval:Ingestion:AllowedRoots). Upload the files instead.");
        }

        var files = new List<string>();
        foreach (var raw in paths)
        {
            var path = Resolve(raw);
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReparsePoint }))
                {
                    if (isSupported(file))
                    {
                        files.Add(Resolve(file));
                    }
                }
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new ValidationException($"'{raw}' does not exist on the server.");
            }

            if (files.Count > options.MaxJobItems)
            {
                throw new PayloadTooLargeException($"A job may contain at most {options.MaxJobItems} files (Retrieval:Ingestion:MaxJobItems).");
            }
        }

        if (files.Count == 0)
        {
            throw new ValidationException("The paths contain no supported files.");
        }

        return files;
    }

    /// <summary>Reads a server-side file, checking again that it is under an allowed root and within the size limit.</summary>
    public async Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var resolved = Resolve(path);
        var options = _options.CurrentValue;
        var length = new FileInfo(resolved).Length;
        if (length > options.MaxDocumentBytes)
        {
            throw new PayloadTooLargeException($"The file is {length} bytes; the limit is {options.MaxDocumentBytes} (Retrieval:Ingestion:MaxDocumentBytes).");
        }

        return await File.ReadAllBytesAsync(resolved, cancellationToken).ConfigureAwait(false);
    }

    private string Resolve(string raw)
    {
        if (string.IsNullOrWhiteSpace(raw) || raw.Any(char.IsControl))
        {
            throw new ValidationException("A path must not be empty or contain control characters.");
        }

        if (!Path.IsPathFullyQualified(raw))
        {
            throw new ValidationException($"'{raw}' is not an absolute path.");
        }

        var full = Path.GetFullPath(raw);
        var target = FinalTarget(full);
        foreach (var root in _options.CurrentValue.AllowedRoots)
        {
            var rootFull = FinalTarget(Path.GetFullPath(root)).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
            if ((target + Path.DirectorySeparatorChar).StartsWith(rootFull, StringComparison.Ordinal))
            {
                return target;
            }
        }

        throw new ValidationException($"'{raw}' is outside the allowed roots (Retrieval:Ingestion:AllowedRoots).");
    }

    /// <summary>The path with every symbolic link along it resolved (so a link cannot point out of a root).</summary>
    private static string FinalTarget(string fullPath)
    {
        var root = Path.GetPathRoot(fullPath)!;
        var current = root;
        foreach (var part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.LinkTarget is not null)
            {
                var resolved = info.ResolveLinkTarget(returnFinalTarget: true);
                current = resolved?.FullName ?? current;
            }
        }

        return current;
    }
}
