using Retrieval.Cli.Infrastructure;
using Retrieval.Cli.Ingest;
using Retrieval.Cli.Tests.Support;

namespace Retrieval.Cli.Tests;

public sealed class IngestFileScannerTests : IDisposable
{
    private readonly TempDirectory root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void Scan_Folder_PicksSupportedFilesWithRelativeForwardSlashNames()
    {
        root.Write("readme.md", "# Readme");
        root.Write("guide/intro.md", "# Intro");
        root.Write("guide/deep/setup.HTML", "<p>setup</p>");
        root.Write("data/records.jsonl", "{}");
        root.Write("notes.txt", "notes");
        root.Write("paper.pdf", "%PDF");
        root.Write("image.png", "png");
        root.Write("archive.zip", "zip");
        root.Write(".git/config.txt", "hidden");
        root.Write("guide/.drafts/wip.md", "hidden");
        root.Write(".env.md", "hidden file");

        var scan = IngestFileScanner.Scan([root.Path]);

        Assert.Equal(
            ["data/records.jsonl", "guide/deep/setup.HTML", "guide/intro.md", "notes.txt", "paper.pdf", "readme.md"],
            scan.Files.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal(3, scan.Skipped.Count); // image.png, archive.zip, .env.md
        Assert.Equal(2, scan.HiddenFolders);
        Assert.All(scan.Files, f => Assert.True(File.Exists(f.FullPath)));
        Assert.Equal(new FileInfo(Path.Combine(root.Path, "readme.md")).Length, scan.Files.Single(f => f.Name == "readme.md").Length);
    }

    [Fact]
    public void Scan_SingleFile_UsesItsFileName()
    {
        var path = root.Write("guide/intro.md", "# Intro");

        var scan = IngestFileScanner.Scan([path]);

        Assert.Equal("intro.md", Assert.Single(scan.Files).Name);
    }

    [Fact]
    public void Scan_MissingPath_IsAUsageError()
    {
        var error = Assert.Throws<CliException>(() => IngestFileScanner.Scan([Path.Combine(root.Path, "nope")]));

        Assert.Equal(2, error.ExitCode);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public void Scan_TwoFilesWithTheSameName_Refuses()
    {
        var a = root.Write("a/intro.md", "a");
        var b = root.Write("b/intro.md", "b");

        var error = Assert.Throws<CliException>(() => IngestFileScanner.Scan([a, b]));

        Assert.Equal(1, error.ExitCode);
        Assert.Contains("'intro.md'", error.Message);
    }
}
