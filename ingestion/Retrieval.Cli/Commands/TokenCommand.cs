using System.ComponentModel;
using Retrieval.Cli.Identity;
using Retrieval.Cli.Infrastructure;
using Retrieval.Cli.Settings;
using Retrieval.Core.Security;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Retrieval.Cli.Commands;

/// <summary><c>retrieval token</c>: prints only the token, so <c>export RETRIEVAL_TOKEN=$(retrieval token …)</c> works.</summary>
public sealed class TokenCommand : Command<TokenCommand.Settings>
{
    private readonly CliContext cli;

    public TokenCommand(CliContext cli)
    {
        this.cli = cli;
    }

    public sealed class Settings : IdentitySettings
    {
        [CommandOption("-u|--user <USER>")]
        [Description("The token's subject (user id).")]
        public string? User { get; set; }

        [CommandOption("--lifetime <DURATION>")]
        [Description("How long the token is valid: 30m, 8h, 7d, …")]
        [DefaultValue("8h")]
        public string Lifetime { get; set; } = "8h";

        public TimeSpan LifetimeValue => DurationParser.TryParse(Lifetime, out var value) ? value : TimeSpan.Zero;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(User))
            {
                return ValidationResult.Error("--user is required.");
            }

            if (!DurationParser.TryParse(Lifetime, out _))
            {
                return ValidationResult.Error($"--lifetime '{Lifetime}' is not a positive duration such as 30m, 8h or 7d.");
            }

            return RoleList.Count == 0 ? ValidationResult.Error("--roles needs at least one role.") : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var token = LocalTokenMinter.Mint(
            settings.Data,
            new TokenRequest(settings.User!.Trim(), settings.Tenant, settings.GroupList, settings.RoleList, settings.LifetimeValue));
        cli.Out.WriteRawLine(token);
        return ExitCodes.Success;
    }
}
