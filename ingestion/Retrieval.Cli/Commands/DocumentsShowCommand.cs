using System.ComponentModel;
using System.Globalization;
using Retrieval.Cli.Client;
using Retrieval.Cli.Infrastructure;
using Retrieval.Cli.Settings;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Retrieval.Cli.Commands;

public sealed class DocumentsShowCommand : ServiceCommand<DocumentsShowCommand.Settings>
{
    public DocumentsShowCommand(CliContext context)
        : base(context)
    {
    }

    public sealed class Settings : DocumentIdSettings;

    protected override async Task<int> RunAsync(RetrievalClient client, Settings settings, CancellationToken cancellationToken)
    {
        var result = await client.GetDocumentAsync(settings.Id, cancellationToken);
        if (settings.Json)
        {
            Out.WriteJson(result.Json);
            return ExitCodes.Success;
        }

        var document = result.Value;
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        AddRow(grid, "id", document.Id);
        AddRow(grid, "title", document.Title);
        AddRow(grid, "source", document.Source);
        AddRow(grid, "tenant", document.Tenant);
        AddRow(grid, "content type", document.ContentType);
        AddRow(grid, "version", document.Version?.ToString(CultureInfo.InvariantCulture));
        AddRow(grid, "content hash", document.ContentHash);
        AddRow(grid, "acl", document.Acl is null ? null : string.Join(", ", document.Acl));
        AddRow(grid, "chunks", document.Chunks?.ToString(CultureInfo.InvariantCulture));
        AddRow(grid, "tokens", document.Tokens?.ToString(CultureInfo.InvariantCulture));
        AddRow(grid, "created", document.CreatedAt?.ToString("u", CultureInfo.InvariantCulture));
        AddRow(grid, "updated", document.UpdatedAt?.ToString("u", CultureInfo.InvariantCulture));
        foreach (var (key, value) in (document.Metadata ?? new Dictionary<string, string>()).OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            AddRow(grid, $"metadata.{key}", value);
        }

        Out.Write(grid);
        return ExitCodes.Success;
    }

    private static void AddRow(Grid grid, string name, string? value)
    {
        if (value is not null)
        {
            grid.AddRow(new Text(name, new Style(decoration: Decoration.Bold)), new Text(value));
        }
    }
}
