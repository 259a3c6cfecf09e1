namespace Retrieval.Core.Diagnostics;

/// <summary>Configuration section <c>Retrieval:Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string Section = "Retrieval:Audit";

    public const string Category = "Retrieval.Audit";

    /// <summary>Include query and question text in audit events. Off by default: queries can be sensitive.</summary>
    public bool IncludeQueryText { get; set; }
}
