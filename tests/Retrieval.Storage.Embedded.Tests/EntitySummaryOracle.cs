using Retrieval.Core.Graph;

namespace Retrieval.Storage.Embedded.Tests;

/// <summary>
/// An entity's summary (name, type, counts) as the store computed it before it was rewritten as loops: LINQ grouping with
/// the same tie rules, kept as the oracle the store's <c>Summarize</c> must reproduce exactly.
/// </summary>
internal static class EntitySummaryOracle
{
    /// <summary>Display name: the most frequent surface form; type: the most frequent known type (the store's rule, as written before).</summary>
    public static GraphEntity Summarize(string publicId, IEnumerable<(string Name, string? Type, int Count)> mentions, int chunks)
    {
        var list = mentions.ToList();
        var name = list.GroupBy(m => m.Name, StringComparer.Ordinal)
            .OrderByDescending(g => g.Sum(m => m.Count)).ThenBy(g => g.Key.Length).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        var type = list.Where(m => m.Type is not null).GroupBy(m => m.Type!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Sum(m => m.Count)).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault();
        return new GraphEntity(publicId, name, type, chunks, list.Sum(m => m.Count));
    }
}
