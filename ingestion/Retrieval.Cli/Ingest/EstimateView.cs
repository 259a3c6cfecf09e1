using System.Globalization;
using Retrieval.Cli.Client;

namespace Retrieval.Cli.Ingest;

/// <summary>How the LLM graph extraction estimate of a job is printed (before the job starts).</summary>
public static class EstimateView
{
    public static string Describe(GraphEstimate estimate)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"LLM graph extraction estimate: up to {estimate.TotalTokens:N0} tokens ({estimate.PromptTokens:N0} prompt + {estimate.CompletionTokens:N0} completion) "
            + $"for {estimate.Chunks:N0} chunks in {estimate.Documents:N0} documents");
        if (estimate.Cost is { } cost)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", cost up to {cost:0.####}");
        }

        if (estimate.MaxTokensPerJob is { } budget)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"; budget {budget:N0} tokens{(estimate.OverBudget ? " (OVER BUDGET)" : string.Empty)}");
        }

        if (estimate.UnreadableDocuments > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"; {estimate.UnreadableDocuments} unreadable documents not counted");
        }

        return text + ". Cached chunks cost nothing, so the real use can be lower.";
    }
}
