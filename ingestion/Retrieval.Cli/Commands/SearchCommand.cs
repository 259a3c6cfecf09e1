using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Retrieval.Cli.Client;
using Retrieval.Cli.Infrastructure;
using Retrieval.Cli.Settings;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Retrieval.Cli.Commands;

public sealed class SearchCommand : ServiceCommand<SearchCommand.Settings>
{
    public SearchCommand(CliContext context)
        : base(context)
    {
    }

    public sealed class Settings : ServiceSettings
    {
        [CommandArgument(0, "<QUERY>")]
        [Description("What to search for.")]
        public string Query { get; set; } = string.Empty;

        [CommandOption("-k|--top-k <N>")]
        [Description("How many results (1-100).")]
        [DefaultValue(10)]
        public int TopK { get; set; } = 10;

        [CommandOption("--mode <MODE>")]
        [Description("hybrid (default), dense, lexical, graph, or a combination such as dense+lexical+graph.")]
        public string? Mode { get; set; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Query))
            {
                return ValidationResult.Error("The query must not be empty.");
            }

            if (TopK is < 1 or > 100)
            {
                return ValidationResult.Error("--top-k must be between 1 and 100.");
            }

            if (Mode is not null)
            {
                // The service's own parser: hybrid, dense, lexical, graph, '+' combinations such as dense+lexical+graph, and global.
                try
                {
                    _ = Retrieval.Core.Query.RetrievalModes.Canonical(Mode);
                }
                catch (Retrieval.Core.ValidationException ex)
                {
                    return ValidationResult.Error($"--mode: {ex.Message}");
                }
            }

            return base.Validate();
        }
    }

    protected override async Task<int> RunAsync(RetrievalClient client, Settings settings, CancellationToken cancellationToken)
    {
        var result = await client.SearchAsync(
            new SearchRequest(settings.Query, settings.TopK, settings.Mode?.ToLowerInvariant()), cancellationToken);
        if (settings.Json)
        {
            Out.WriteJson(result.Json);
            return ExitCodes.Success;
        }

        var hits = result.Value.Results;
        if (hits.Count == 0)
        {
            Out.WriteLine("No results (only documents your token may read are searched).");
            return ExitCodes.Success;
        }

        var table = new Table().AddColumns("#", "score", "document", "section", "snippet", "matched by");
        var rank = 0;
        foreach (var hit in hits)
        {
            rank++;
            table.AddRow(
                new Text(rank.ToString(CultureInfo.InvariantCulture)),
                new Text(hit.Score.ToString("0.0000", CultureInfo.InvariantCulture)),
                new Text(string.IsNullOrEmpty(hit.Title) || hit.Title == hit.DocumentId ? hit.DocumentId : $"{hit.Title}\n{hit.DocumentId}"),
                new Text(Section(hit.SectionPath)),
                new Text(ConsoleExtensions.Snippet(hit.Text, 160)),
                new Text(MatchedBy(hit.Scores)));
        }

        Out.Write(table);
        if (result.Value.Timings?.TotalMs is { } totalMs)
        {
            Out.MarkupLine($"[grey]{hits.Count} {(hits.Count == 1 ? "result" : "results")} in {totalMs.ToString("0", CultureInfo.InvariantCulture)} ms[/]");
        }

        return ExitCodes.Success;
    }

    /// <summary>The section path may come as "A > B" or as ["A", "B"].</summary>
    internal static string Section(JsonElement sectionPath) => sectionPath.ValueKind switch
    {
        JsonValueKind.String => sectionPath.GetString() ?? string.Empty,
        JsonValueKind.Array => string.Join(" > ", sectionPath.EnumerateArray().Select(e => e.ToString())),
        _ => string.Empty,
    };

    private static string MatchedBy(IReadOnlyDictionary<string, RetrieverScore>? scores) =>
        scores is null
            ? string.Empty
            : string.Join(' ', scores.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}#{s.Value.Rank}"));
}
