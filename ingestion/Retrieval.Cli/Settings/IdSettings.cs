using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Retrieval.Cli.Settings;

public class DocumentIdSettings : ServiceSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The document id (as ingested, e.g. guide/intro.md).")]
    public string Id { get; set; } = string.Empty;

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Id) ? ValidationResult.Error("The document id must not be empty.") : base.Validate();
}

public class JobIdSettings : ServiceSettings
{
    [CommandArgument(0, "<JOB_ID>")]
    [Description("The job id printed by `retrieval ingest`.")]
    public string Id { get; set; } = string.Empty;

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Id) ? ValidationResult.Error("The job id must not be empty.") : base.Validate();
}
