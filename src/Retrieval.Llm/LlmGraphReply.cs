using System.Text.Json;
using System.Text.Json.Serialization;
using Retrieval.Core.Graph;

namespace Retrieval.Llm;

/// <summary>An entity as the model listed it.</summary>
public sealed record ExtractedEntity(string Name, string? Type, string? Description, IReadOnlyList<string> Aliases);

/// <summary>A relation as the model listed it; <see cref="Strength"/> is 1–10.</summary>
public sealed record ExtractedRelation(string Source, string Target, string? Description, double Strength);

/// <summary>What the model extracted from one chunk (after <see cref="LlmGraphReply.Ground"/>: only what the chunk says).</summary>
public sealed record ChunkExtraction(IReadOnlyList<ExtractedEntity> Entities, IReadOnlyList<ExtractedRelation> Relations);

/// <summary>
/// Reads the model's reply defensively and grounds it in the chunk. Anything but the documented JSON shape (malformed
/// JSON, a missing entity list or name, a wrong type) fails the whole reply, so the chunk falls back to fast extraction;
/// a code fence or prose around the object is tolerated. Grounding keeps only entities whose name or alias occurs in the
/// chunk text (normalized as entity keys are) and relations whose two ends were kept: a hallucinated or injected entity
/// never reaches the graph, and every stored name is one the chunk contains.
/// </summary>
public static class LlmGraphReply
{
    public const double DefaultStrength = 5;

    private const int MaxNameLength = 200;

    private static readonly JsonSerializerOptions CacheJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Parses a reply; false with a reason code (<c>empty</c>, <c>malformed_json</c>, <c>schema</c>) when it is unusable.</summary>
    public static bool TryParse(string? content, out ChunkExtraction extraction, out string reason)
    {
        extraction = new ChunkExtraction([], []);
        var json = Unwrap(content);
        if (json is null)
        {
            reason = "empty";
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 16 });
        }
        catch (JsonException)
        {
            reason = "malformed_json";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("entities", out var entities) || entities.ValueKind != JsonValueKind.Array)
            {
                reason = "schema";
                return false;
            }

            var parsedEntities = new List<ExtractedEntity>();
            foreach (var item in entities.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !TryString(item, "name", required: true, out var name)
                    || !TryString(item, "type", required: false, out var type) || !TryString(item, "description", required: false, out var description)
                    || !TryStrings(item, "aliases", out var aliases))
                {
                    reason = "schema";
                    return false;
                }

                parsedEntities.Add(new ExtractedEntity(name!, type, description, aliases));
            }

            var parsedRelations = new List<ExtractedRelation>();
            if (root.TryGetProperty("relations", out var relations) && relations.ValueKind != JsonValueKind.Null)
            {
                if (relations.ValueKind != JsonValueKind.Array)
                {
                    reason = "schema";
                    return false;
                }

                foreach (var item in relations.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object || !TryString(item, "source", required: true, out var source)
                        || !TryString(item, "target", required: true, out var target) || !TryString(item, "description", required: false, out var description)
                        || !TryNumber(item, "strength", out var strength))
                    {
                        reason = "schema";
                        return false;
                    }

                    parsedRelations.Add(new ExtractedRelation(source!, target!, description, strength ?? DefaultStrength));
                }
            }

            extraction = new ChunkExtraction(parsedEntities, parsedRelations);
            reason = string.Empty;
            return true;
        }
    }

    /// <summary>
    /// Keeps what the chunk supports: entities whose name or an alias occurs in <paramref name="chunkText"/> (an entity
    /// known only by an alias takes that alias as its name; aliases not in the text are dropped), at most
    /// <paramref name="maxEntities"/>; relations between two different kept entities, at most <paramref name="maxRelations"/>.
    /// </summary>
    public static (ChunkExtraction Grounded, int DroppedEntities, int DroppedRelations) Ground(
        ChunkExtraction extraction, string chunkText, int maxEntities, int maxRelations)
    {
        ArgumentNullException.ThrowIfNull(extraction);
        var text = " " + EntityNames.Normalize(chunkText) + " ";
        var entities = new List<ExtractedEntity>();
        var keyOf = new Dictionary<string, string>(StringComparer.Ordinal); // any normalized name or alias → entity key
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var dropped = 0;
        foreach (var entity in extraction.Entities)
        {
            var names = new[] { entity.Name }.Concat(entity.Aliases)
                .Where(n => n.Length <= MaxNameLength && Occurs(text, EntityNames.Normalize(n)))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            if (names.Count == 0 || entities.Count >= maxEntities)
            {
                dropped++;
                continue;
            }

            var key = EntityNames.Normalize(names[0]);
            if (!seen.Add(key))
            {
                continue; // listed twice: the first listing stands
            }

            entities.Add(new ExtractedEntity(names[0], entity.Type, entity.Description, names.Skip(1).ToList()));
            foreach (var name in names)
            {
                keyOf.TryAdd(EntityNames.Normalize(name), key);
            }
        }

        var relations = new List<ExtractedRelation>();
        var droppedRelations = 0;
        foreach (var relation in extraction.Relations)
        {
            if (!keyOf.TryGetValue(EntityNames.Normalize(relation.Source), out var source) || !keyOf.TryGetValue(EntityNames.Normalize(relation.Target), out var target)
                || source == target || relations.Count >= maxRelations)
            {
                droppedRelations++;
                continue;
            }

            relations.Add(relation);
        }

        return (new ChunkExtraction(entities, relations), dropped, droppedRelations);
    }

    /// <summary>The chunk's share of the graph model: one mention per grounded entity, one relation per kept pair.</summary>
    public static ChunkGraph? ToChunkGraph(string chunkId, string chunkText, ChunkExtraction grounded)
    {
        ArgumentNullException.ThrowIfNull(grounded);
        var text = " " + EntityNames.Normalize(chunkText) + " ";
        var mentions = new List<EntityMention>();
        var keyOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entity in grounded.Entities)
        {
            var key = EntityNames.Normalize(entity.Name);
            if (EntityNames.IsTrivial(key) || keyOf.ContainsKey(key))
            {
                continue;
            }

            var aliases = entity.Aliases.Select(EntityNames.Normalize)
                .Where(a => !EntityNames.IsTrivial(a) && a != key && !keyOf.ContainsKey(a))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            keyOf[key] = key;
            foreach (var alias in aliases)
            {
                keyOf.TryAdd(alias, key);
            }

            var count = Math.Max(1, Occurrences(text, key) + aliases.Sum(a => Occurrences(text, a)));
            mentions.Add(new EntityMention(key, Surface(chunkText, entity.Name), EntityType(entity.Type), count, aliases));
        }

        var relations = new Dictionary<(string, string), double>();
        foreach (var relation in grounded.Relations)
        {
            if (!keyOf.TryGetValue(EntityNames.Normalize(relation.Source), out var a) || !keyOf.TryGetValue(EntityNames.Normalize(relation.Target), out var b) || a == b)
            {
                continue;
            }

            var pair = string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
            var weight = Math.Clamp(relation.Strength, 1, 10) / 10.0;
            relations[pair] = Math.Max(relations.GetValueOrDefault(pair), weight);
        }

        return mentions.Count == 0
            ? null
            : new ChunkGraph(chunkId, mentions, relations.Select(r => new EntityRelation(r.Key.Item1, r.Key.Item2, r.Value)).ToList());
    }

    public static string Serialize(ChunkExtraction extraction) => JsonSerializer.Serialize(extraction, CacheJson);

    /// <summary>The model's types mapped onto the service's vocabulary; anything else is unknown (a type is never free text from a model).</summary>
    public static string? EntityType(string? type) => type?.Trim().ToLowerInvariant() switch
    {
        "person" or "people" or "character" => EntityTypes.Person,
        "organization" or "organisation" or "company" or "institution" => EntityTypes.Organization,
        "place" or "location" or "geo" or "country" or "city" => EntityTypes.Place,
        "work" or "title" or "book" => EntityTypes.Title,
        "event" => "event",
        "concept" => "concept",
        _ => null,
    };

    private static string? Unwrap(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return null;
        }

        // Models wrap JSON in ```json fences or a sentence despite the rules: take the outermost object.
        var start = content.IndexOf('{', StringComparison.Ordinal);
        var end = content.LastIndexOf('}');
        return start < 0 || end < start ? content.Trim() : content[start..(end + 1)];
    }

    private static bool TryString(JsonElement item, string property, bool required, out string? value)
    {
        value = null;
        if (!item.TryGetProperty(property, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return !required;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = element.GetString()!.Trim();
        return !required || value.Length > 0;
    }

    private static bool TryStrings(JsonElement item, string property, out IReadOnlyList<string> values)
    {
        values = [];
        if (!item.TryGetProperty(property, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Array || element.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            return false;
        }

        values = element.EnumerateArray().Select(e => e.GetString()!.Trim()).Where(s => s.Length > 0).ToList();
        return true;
    }

    private static bool TryNumber(JsonElement item, string property, out double? value)
    {
        value = null;
        if (!item.TryGetProperty(property, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            return false;
        }

        value = number;
        return true;
    }

    private static bool Occurs(string normalizedText, string key) =>
        !EntityNames.IsTrivial(key) && normalizedText.Contains(" " + key + " ", StringComparison.Ordinal);

    private static int Occurrences(string normalizedText, string key)
    {
        var needle = " " + key + " ";
        var count = 0;
        for (var i = normalizedText.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = normalizedText.IndexOf(needle, i + needle.Length - 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>The name as the chunk writes it when the chunk contains it verbatim (case aside); else the model's form.</summary>
    private static string Surface(string chunkText, string name)
    {
        var at = chunkText.IndexOf(name, StringComparison.OrdinalIgnoreCase);
        return at < 0 ? name : chunkText.Substring(at, name.Length);
    }
}
