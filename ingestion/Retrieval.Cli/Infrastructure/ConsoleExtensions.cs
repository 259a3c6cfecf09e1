using System.Text.Json;
using Spectre.Console;

namespace Retrieval.Cli.Infrastructure;

internal static class ConsoleExtensions
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// Writes text byte for byte. <c>IAnsiConsole.WriteLine</c> wraps at the console width, which would break
    /// tokens and JSON that scripts capture.
    /// </summary>
    public static void WriteRawLine(this IAnsiConsole console, string text)
    {
        var writer = console.Profile.Out.Writer;
        writer.Write(text);
        writer.Write('\n');
        writer.Flush();
    }

    /// <summary>Prints the service's JSON as received, indented for a person at a terminal.</summary>
    public static void WriteJson(this IAnsiConsole console, string json)
    {
        if (console.Profile.Capabilities.Interactive && !string.IsNullOrWhiteSpace(json))
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                json = JsonSerializer.Serialize(document.RootElement, Indented);
            }
            catch (JsonException)
            {
                // Not JSON after all: print it unchanged.
            }
        }

        console.WriteRawLine(json);
    }

    /// <summary>Collapses whitespace and cuts text to <paramref name="max"/> characters for a table cell.</summary>
    public static string Snippet(string? text, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var collapsed = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return collapsed.Length <= max ? collapsed : string.Concat(collapsed.AsSpan(0, max - 1), "…");
    }
}
