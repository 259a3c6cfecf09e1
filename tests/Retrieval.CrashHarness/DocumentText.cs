using System.Text;

namespace Retrieval.CrashHarness;

/// <summary>
/// Generated documents: 1–4 paragraphs, each starting with a marker word that exists nowhere else (so a lexical search
/// for it finds exactly this version of this document), with ordinary words and a few person and place names (so the
/// fast graph extractor writes entities, mentions and relations that documents share).
/// </summary>
internal static class DocumentText
{
    private const string Letters = "abcdefghijklmnopqrstuvwxyz";

    private static readonly string[] Words =
    [
        "archive", "river", "signal", "harbour", "lantern", "orchard", "bridge", "quarry", "meadow", "engine", "ledger",
        "compass", "granite", "harvest", "journal", "kettle", "library", "market", "needle", "observatory", "pasture",
        "quartz", "reservoir", "saddle", "telescope", "umbrella", "valley", "workshop", "yarn", "zephyr", "anchor",
        "barometer", "canal", "delta", "estuary", "furnace", "glacier", "hollow", "island", "junction", "keystone",
        "lighthouse", "monsoon", "nebula", "oasis", "pendulum", "quiver", "rampart", "sextant", "tundra", "upland",
        "vineyard", "windmill", "cedar", "falcon", "beacon", "copper", "ember", "feather", "garnet", "heron", "ivory",
        "juniper", "kestrel", "lichen", "marble", "nectar", "onyx", "pebble", "quill", "raven", "salmon", "thistle",
        "walnut", "willow", "spindle", "cobalt", "basalt", "lagoon", "prairie", "summit", "terrace", "voyage", "wharf",
    ];

    private static readonly string[] Verbs =
    [
        "records", "crosses", "guards", "measures", "carries", "reflects", "follows", "shelters", "divides", "joins",
        "mirrors", "outlasts", "surrounds", "feeds", "describes", "survives", "precedes", "anchors", "balances", "drains",
    ];

    private static readonly string[] Names =
    [
        "Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson", "Edsger Dijkstra", "Barbara Liskov",
        "Donald Knuth", "Margaret Hamilton", "Lisbon", "Kyoto", "Geneva", "Valparaiso", "Tromso", "Marrakesh",
    ];

    /// <summary>A marker: "zq", 12 letters and a digit. The trailing digit keeps the Porter stemmer from folding two markers into one stem.</summary>
    public static string NewMarker(Random random)
    {
        Span<char> chars = stackalloc char[15];
        chars[0] = 'z';
        chars[1] = 'q';
        for (var i = 2; i < 14; i++)
        {
            chars[i] = Letters[random.Next(Letters.Length)];
        }

        chars[14] = (char)('0' + random.Next(10));
        return new string(chars);
    }

    /// <summary>The text and its paragraph markers; <paramref name="maxParagraphs"/> bounds the size (and so the chunk count).</summary>
    public static (string Text, IReadOnlyList<string> Markers) Generate(Random random, int maxParagraphs)
    {
        var paragraphs = random.Next(1, maxParagraphs + 1);
        var markers = new List<string>(paragraphs);
        var text = new StringBuilder();
        for (var p = 0; p < paragraphs; p++)
        {
            var marker = NewMarker(random);
            markers.Add(marker);
            text.Append("# Section ").Append(p + 1).Append("\n\n");
            text.Append("The ").Append(marker).Append(' ').Append(Pick(random, Words)).Append(' ')
                .Append(Pick(random, Verbs)).Append(" the ").Append(Pick(random, Words)).Append(". ");
            var sentences = random.Next(8, 20);
            for (var s = 0; s < sentences; s++)
            {
                if (random.Next(4) == 0)
                {
                    text.Append(Pick(random, Names)).Append(" met ").Append(Pick(random, Names)).Append(" near the ")
                        .Append(Pick(random, Words)).Append(". ");
                }
                else
                {
                    text.Append("A ").Append(Pick(random, Words)).Append(' ').Append(Pick(random, Verbs)).Append(" every ")
                        .Append(Pick(random, Words)).Append(" and the ").Append(Pick(random, Words)).Append(". ");
                }
            }

            text.Append("\n\n");
        }

        return (text.ToString(), markers);
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];
}
