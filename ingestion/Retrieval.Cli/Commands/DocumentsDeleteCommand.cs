using Retrieval.Cli.Client;
using Retrieval.Cli.Infrastructure;
using Retrieval.Cli.Settings;
using Spectre.Console;

namespace Retrieval.Cli.Commands;

public sealed class DocumentsDeleteCommand : ServiceCommand<DocumentsDeleteCommand.Settings>
{
    public DocumentsDeleteCommand(CliContext context)
        : base(context)
    {
    }

    public sealed class Settings : DocumentIdSettings;

    protected override async Task<int> RunAsync(RetrievalClient client, Settings settings, CancellationToken cancellationToken)
    {
        await client.DeleteDocumentAsync(settings.Id, cancellationToken);
        if (settings.Json)
        {
            Out.WriteRawLine($$"""{"deleted":{{System.Text.Json.JsonSerializer.Serialize(settings.Id)}}}""");
        }
        else
        {
            Out.MarkupLine($"Deleted document [bold]{settings.Id.EscapeMarkup()}[/] and everything derived from it.");
        }

        return ExitCodes.Success;
    }
}
