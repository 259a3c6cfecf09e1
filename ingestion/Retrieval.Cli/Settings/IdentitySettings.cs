using System.ComponentModel;
using Spectre.Console.Cli;

namespace Retrieval.Cli.Settings;

/// <summary>Who a locally minted token speaks for: shared by <c>retrieval token</c> and <c>--as</c>.</summary>
public class IdentitySettings : CommandSettings
{
    public static readonly IReadOnlyList<string> DefaultRoles = ["reader", "ingestor"];

    [CommandOption("--groups <GROUPS>")]
    [Description("Groups of the minted token, comma-separated or repeated (with --as or token).")]
    public string[] Groups { get; set; } = [];

    [CommandOption("--roles <ROLES>")]
    [Description("Roles of the minted token: reader, ingestor, admin (default reader,ingestor).")]
    public string[] Roles { get; set; } = [];

    [CommandOption("--tenant <TENANT>")]
    [Description("Tenant of the minted token.")]
    [DefaultValue("default")]
    public string Tenant { get; set; } = "default";

    [CommandOption("--data <DIR>")]
    [Description("The service's data directory, which holds identity.json.")]
    [DefaultValue("./data")]
    public string Data { get; set; } = "./data";

    public IReadOnlyList<string> GroupList => SplitList(Groups);

    public IReadOnlyList<string> RoleList => Roles.Length == 0 ? DefaultRoles : SplitList(Roles);

    private static string[] SplitList(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
}
