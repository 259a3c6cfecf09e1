using System.ComponentModel;
using System.Globalization;
using Retrieval.Cli.Client;
using Retrieval.Cli.Infrastructure;
using Retrieval.Cli.Settings;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Retrieval.Cli.Commands;

/// <summary><c>retrieval ask</c>: an abstention is a valid answer, so it exits 0 too.</summary>
public sealed class AskCommand : ServiceCommand<AskCommand.Settings>
{
    public AskCommand(CliContext context)
        : base(context)
    {
    }

    public sealed class Settings : ServiceSettings
    {
        [CommandArgument(0, "<QUESTION>")]
        [Description("The question.")]
        public string Question { get; set; } = string.Empty;

        [CommandOption("-k|--top-k <N>")]
        [Description("How many passages to ground the answer in (1-50; default: the service's).")]
        public int? TopK { get; set; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Question))
            {
                return ValidationResult.Error("The question must not be empty.");
            }

            if (TopK is < 1 or > 50)
            {
                return ValidationResult.Error("--top-k must be between 1 and 50.");
            }

            return base.Validate();
        }
    }

    protected override async Task<int> RunAsync(RetrievalClient client, Settings settings, CancellationToken cancellationToken)
    {
        var result = await client.AskAsync(new AskRequest(settings.Question, settings.TopK), cancellationToken);
        if (settings.Json)
        {
            Out.WriteJson(result.Json);
            return ExitCodes.Success;
        }

        var answer = result.Value;
        if (answer.Abstained)
        {
            Out.MarkupLine($"[yellow]No grounded answer:[/] {(answer.Reason ?? "the service gave no reason").EscapeMarkup()}");
            if (!string.IsNullOrWhiteSpace(answer.Answer))
            {
                Out.WriteLine(answer.Answer);
            }

            return ExitCodes.Success;
        }

        Out.WriteLine(answer.Answer ?? string.Empty);
        Out.WriteLine();

        if (answer.Citations is { Count: > 0 } citations)
        {
            Out.MarkupLine("[bold]Sources[/]");
            foreach (var citation in citations.OrderBy(c => c.Index))
            {
                var title = string.IsNullOrWhiteSpace(citation.Title) ? citation.DocumentId : citation.Title;
                Out.MarkupLine(
                    $"[[{citation.Index}]] [bold]{(title ?? "?").EscapeMarkup()}[/] [grey]({(citation.DocumentId ?? "?").EscapeMarkup()})[/]");
                if (!string.IsNullOrWhiteSpace(citation.Quote))
                {
                    Out.MarkupLine($"    \"{ConsoleExtensions.Snippet(citation.Quote, 240).EscapeMarkup()}\"");
                }
            }

            Out.WriteLine();
        }

        if (answer.Support is { } support)
        {
            var sentences = support.Sentences ?? [];
            var supported = sentences.Count(s => s.Supported);
            var counts = sentences.Count > 0 ? $" ({supported} of {sentences.Count} sentences)" : string.Empty;
            var judge = support.Judge is null ? string.Empty
                : support.JudgeFallback is null ? $", {support.Judge} judge"
                : $", {support.Judge} judge (LLM judge unavailable: {support.JudgeFallback})";
            Out.MarkupLine($"Support: [bold]{(support.Ratio * 100).ToString("0", CultureInfo.InvariantCulture)}%[/]{counts}{judge.EscapeMarkup()}");
            foreach (var sentence in sentences.Where(s => !s.Supported))
            {
                Out.MarkupLine($"  [yellow]unsupported:[/] {ConsoleExtensions.Snippet(sentence.Text, 200).EscapeMarkup()}");
            }
        }

        var generator = answer.Generator is null ? string.Empty : $"{answer.Generator} answerer";
        var took = answer.Timings?.TotalMs is { } ms ? $"{ms.ToString("0", CultureInfo.InvariantCulture)} ms" : string.Empty;
        var footer = string.Join(", ", new[] { generator, took }.Where(s => s.Length > 0));
        if (footer.Length > 0)
        {
            Out.MarkupLine($"[grey]{footer.EscapeMarkup()}[/]");
        }

        return ExitCodes.Success;
    }
}
