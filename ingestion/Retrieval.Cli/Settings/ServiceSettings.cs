using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Retrieval.Cli.Settings;

/// <summary>Options of every command that calls the service.</summary>
public class ServiceSettings : IdentitySettings
{
    [CommandOption("--url <URL>")]
    [Description("Service base address (default: $RETRIEVAL_URL, else http://localhost:8080).")]
    public string? Url { get; set; }

    [CommandOption("--token <JWT>")]
    [Description("Bearer token (default: $RETRIEVAL_TOKEN).")]
    public string? Token { get; set; }

    [CommandOption("--as <USER>")]
    [Description("Mint a token for this user from the development identity in --data (with --groups, --roles, --tenant).")]
    public string? As { get; set; }

    [CommandOption("--json")]
    [Description("Print the service's JSON instead of tables.")]
    public bool Json { get; set; }

    public override ValidationResult Validate()
    {
        if (Token is not null && As is not null)
        {
            return ValidationResult.Error("Use either --token or --as, not both.");
        }

        if (As is not null && string.IsNullOrWhiteSpace(As))
        {
            return ValidationResult.Error("--as needs a user name.");
        }

        if (Url is not null && !ServiceUrl.TryParse(Url, out _))
        {
            return ValidationResult.Error($"--url '{Url}' is not an absolute http(s) URL.");
        }

        return ValidationResult.Success();
    }
}
