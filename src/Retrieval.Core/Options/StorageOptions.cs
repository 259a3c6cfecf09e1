using System.ComponentModel.DataAnnotations;

namespace Retrieval.Core.Options;

/// <summary>Configuration section <c>Retrieval:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Retrieval:Storage";

    /// <summary>Folder for the SQLite database (documents, chunks, vectors, jobs and their uploads) and the development signing key. Relative paths follow the working directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Database file name inside <see cref="DataDirectory"/>.</summary>
    [Required]
    public string DatabaseFile { get; set; } = "retrieval.db";

    public string DatabasePath => Path.Combine(Path.GetFullPath(DataDirectory), DatabaseFile);
}
