using Retrieval.Core.Ingestion.Chunking;

namespace Retrieval.Core.Graph;

/// <summary>
/// Knowledge-graph extraction without a language model (the default, "fast" mode; the idea of Microsoft GraphRAG's
/// NLP-based indexing and of HippoRAG's entity graph): entity candidates are capitalized and multi-word names ("University
/// of Copenhagen"), acronyms and quoted titles; they are normalized (<see cref="EntityNames"/>) and merged with their
/// aliases within the document (a surname with the one full name that ends in it, an acronym with the one name whose
/// initials it spells); two entities in the same chunk are related with a weight that grows with how often and how
/// closely (same sentence, next sentence) they co-occur.
/// </summary>
/// <remarks>One pass over the text per document plus one per chunk; no dictionaries, models or allocations per character.</remarks>
public static class FastGraphExtractor
{
    public const string Name = "fast/1";

    /// <summary>Longest name in tokens: longer capitalized runs are headline or title case, not names.</summary>
    private const int MaxNameTokens = 8;

    /// <summary>Sentences apart that still relate two entities (weight 1 / (1 + distance)).</summary>
    private const int MaxSentenceDistance = 2;

    /// <summary>Relations kept per chunk (strongest first): bounds the quadratic pair count of long enumerations.</summary>
    private const int MaxRelationsPerChunk = 256;

    /// <summary>Lower-case words allowed inside a name between capitalized words ("Bank of the West", "Ludwig van Beethoven").</summary>
    private static readonly HashSet<string> Connectors = new(StringComparer.Ordinal)
    {
        "of", "for", "the", "de", "da", "di", "del", "della", "des", "du", "la", "le", "van", "von", "der", "den", "y", "&", "upon", "on",
        "and", "+",
    };

    /// <summary>Connectors that may also join two names ("Alice and Bob"): a run with one is also split there.</summary>
    private static readonly HashSet<string> Conjunctions = new(StringComparer.Ordinal) { "and", "&", "+" };

    /// <summary>Honorifics dropped from a name (as <see cref="EntityNames"/> drops them from keys); they mark a person.</summary>
    private static readonly HashSet<string> Honorifics = new(StringComparer.Ordinal)
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "sir", "madam", "mister",
    };

    /// <summary>Titles that stay part of the name ("King George") but mark a person.</summary>
    private static readonly HashSet<string> PersonTitles = new(StringComparer.Ordinal)
    {
        "lady", "lord", "king", "queen", "prince", "princess", "president", "pope", "saint", "professor", "captain", "uncle", "aunt",
    };

    private static readonly HashSet<string> OrganizationWords = new(StringComparer.Ordinal)
    {
        "university", "college", "institute", "association", "society", "council", "company", "corporation", "corp", "inc", "ltd",
        "bank", "party", "foundation", "church", "school", "academy", "agency", "department", "ministry", "committee", "club",
        "league", "group", "records", "press", "airlines", "museum", "army", "navy", "team", "fc", "union", "federation",
        "organization", "organisation", "commission", "board", "court", "parliament", "congress", "senate", "journal", "times",
    };

    private static readonly HashSet<string> PlaceWords = new(StringComparer.Ordinal)
    {
        "river", "lake", "mountain", "mountains", "mount", "city", "county", "island", "islands", "province", "street", "valley",
        "ocean", "sea", "bay", "state", "kingdom", "republic", "desert", "park", "bridge", "square", "district", "region",
    };

    /// <summary>Extracts the graph of one document from its chunks (in order).</summary>
    public static DocumentGraph Extract(IReadOnlyList<(string ChunkId, string Text)> chunks, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var sentencesByChunk = new List<List<List<Token>>>(chunks.Count);
        var midSentenceCapitals = new HashSet<string>(StringComparer.Ordinal);
        var lowerCaseWords = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, text) in chunks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sentences = new List<List<Token>>();
            foreach (var range in SentenceSplitter.Split(text))
            {
                var tokens = Tokenize(text, range);
                for (var i = 0; i < tokens.Count; i++)
                {
                    if (!tokens[i].Initial && tokens[i].Capitalized)
                    {
                        midSentenceCapitals.Add(tokens[i].Lower);
                    }
                    else if (char.IsLower(tokens[i].Text[0]))
                    {
                        lowerCaseWords.Add(tokens[i].Lower);
                    }
                }

                sentences.Add(tokens);
            }

            sentencesByChunk.Add(sentences);
        }

        // Candidates per chunk: (key, surface, type, sentence index).
        var candidates = new List<List<Candidate>>(chunks.Count);
        var keyInfo = new Dictionary<string, KeyInfo>(StringComparer.Ordinal);
        for (var c = 0; c < chunks.Count; c++)
        {
            var found = new List<Candidate>();
            var sentences = sentencesByChunk[c];
            for (var s = 0; s < sentences.Count; s++)
            {
                CollectNames(sentences[s], s, midSentenceCapitals, lowerCaseWords, found);
                CollectQuoted(chunks[c].Text, sentences[s], s, found);
            }

            foreach (var candidate in found)
            {
                if (!keyInfo.TryGetValue(candidate.Key, out var info))
                {
                    info = new KeyInfo(candidate.Key);
                    keyInfo.Add(candidate.Key, info);
                }

                info.Count++;
                info.Type ??= candidate.Type;
                info.Surfaces[candidate.Surface] = info.Surfaces.GetValueOrDefault(candidate.Surface) + 1;
            }

            candidates.Add(found);
        }

        var canonical = MergeAliases(keyInfo, lowerCaseWords);
        var result = new List<ChunkGraph>(chunks.Count);
        for (var c = 0; c < chunks.Count; c++)
        {
            var graph = BuildChunkGraph(chunks[c].ChunkId, candidates[c], canonical, keyInfo);
            if (graph is not null)
            {
                result.Add(graph);
            }
        }

        return new DocumentGraph(Name, result);
    }

    private static ChunkGraph? BuildChunkGraph(
        string chunkId, List<Candidate> found, Dictionary<string, string> canonical, Dictionary<string, KeyInfo> keyInfo)
    {
        if (found.Count == 0)
        {
            return null;
        }

        var mentions = new Dictionary<string, (int Count, HashSet<string> Aliases)>(StringComparer.Ordinal);
        var bySentence = new SortedDictionary<int, HashSet<string>>();
        foreach (var candidate in found)
        {
            var key = canonical.GetValueOrDefault(candidate.Key, candidate.Key);
            if (!mentions.TryGetValue(key, out var mention))
            {
                mention = (0, new HashSet<string>(StringComparer.Ordinal));
            }

            if (candidate.Key != key)
            {
                mention.Aliases.Add(candidate.Key);
            }

            mentions[key] = (mention.Count + 1, mention.Aliases);
            if (!bySentence.TryGetValue(candidate.Sentence, out var inSentence))
            {
                inSentence = new HashSet<string>(StringComparer.Ordinal);
                bySentence.Add(candidate.Sentence, inSentence);
            }

            inSentence.Add(key);
        }

        var entityMentions = mentions
            .Select(m =>
            {
                var info = keyInfo[m.Key];
                return new EntityMention(m.Key, info.DisplayName, info.Type, m.Value.Count, [.. m.Value.Aliases.Order(StringComparer.Ordinal)]);
            })
            .OrderBy(m => m.Key, StringComparer.Ordinal)
            .ToList();

        var weights = new Dictionary<(string, string), double>();
        var sentences = bySentence.ToList();
        for (var i = 0; i < sentences.Count; i++)
        {
            for (var j = i; j < sentences.Count && sentences[j].Key - sentences[i].Key <= MaxSentenceDistance; j++)
            {
                var closeness = 1.0 / (1 + sentences[j].Key - sentences[i].Key);
                foreach (var a in sentences[i].Value)
                {
                    foreach (var b in sentences[j].Value)
                    {
                        var cmp = string.CompareOrdinal(a, b);
                        if (cmp == 0 || (i == j && cmp > 0))
                        {
                            continue; // same entity; a pair within one sentence counted once
                        }

                        var pair = cmp < 0 ? (a, b) : (b, a);
                        weights[pair] = weights.GetValueOrDefault(pair) + closeness;
                    }
                }
            }
        }

        var relations = weights
            .OrderByDescending(w => w.Value)
            .ThenBy(w => w.Key.Item1, StringComparer.Ordinal)
            .ThenBy(w => w.Key.Item2, StringComparer.Ordinal)
            .Take(MaxRelationsPerChunk)
            .Select(w => new EntityRelation(w.Key.Item1, w.Key.Item2, Math.Round(w.Value, 4)))
            .ToList();
        return new ChunkGraph(chunkId, entityMentions, relations);
    }

    /// <summary>Maps each alias key to its canonical key (keys that are their own canonical are absent).</summary>
    private static Dictionary<string, string> MergeAliases(Dictionary<string, KeyInfo> keys, HashSet<string> lowerCaseWords)
    {
        var canonical = new Dictionary<string, string>(StringComparer.Ordinal);
        var byLastWord = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var byInitials = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var key in keys.Keys)
        {
            var words = key.Split(' ');
            if (words.Length < 2)
            {
                continue;
            }

            // Person-like names only: a known person, or words the document never writes in lower case ("Ebenezer Scrooge",
            // not "Marley's Ghost" or "Merry Christmas").
            if (words.Length <= 3 && !words.Any(Connectors.Contains)
                && (keys[key].Type == EntityTypes.Person || !words.Any(lowerCaseWords.Contains)))
            {
                Add(byLastWord, words[^1], key);
            }

            var initials = string.Concat(words.Where(w => !Connectors.Contains(w) && w != "and").Select(w => w[0]));
            if (initials.Length >= 2)
            {
                Add(byInitials, initials, key);
            }
        }

        foreach (var (key, info) in keys)
        {
            if (key.Contains(' ', StringComparison.Ordinal))
            {
                continue;
            }

            // An acronym spelling the initials of exactly one name; a single word that ends exactly one short name.
            if (info.Type == EntityTypes.Acronym && byInitials.TryGetValue(key, out var expansions) && expansions.Count == 1)
            {
                canonical[key] = expansions[0];
            }
            else if (byLastWord.TryGetValue(key, out var fullNames) && fullNames.Count == 1)
            {
                canonical[key] = fullNames[0];
            }
        }

        return canonical;

        static void Add(Dictionary<string, List<string>> index, string word, string key)
        {
            if (!index.TryGetValue(word, out var list))
            {
                list = [];
                index.Add(word, list);
            }

            list.Add(key);
        }
    }

    /// <summary>Runs of capitalized words (with connectors inside), and acronyms.</summary>
    private static void CollectNames(
        List<Token> tokens, int sentence, HashSet<string> midSentenceCapitals, HashSet<string> lowerCaseWords, List<Candidate> output)
    {
        var i = 0;
        while (i < tokens.Count)
        {
            if (!tokens[i].Capitalized)
            {
                i++;
                continue;
            }

            // Extend over capitalized words and connectors, ending on a capitalized word.
            var start = i;
            var end = i + 1;
            var j = i + 1;
            while (j < tokens.Count && !tokens[j].BreakBefore)
            {
                if (tokens[j].Capitalized)
                {
                    end = j + 1;
                    j++;
                }
                else if (Connectors.Contains(tokens[j].Lower) && j - end < 2)
                {
                    j++;
                }
                else
                {
                    break;
                }
            }

            i = end;
            AddName(tokens, start, end, sentence, midSentenceCapitals, lowerCaseWords, output);
            var segment = start;
            for (var k = start; k < end; k++)
            {
                if (Conjunctions.Contains(tokens[k].Lower))
                {
                    AddName(tokens, segment, k, sentence, midSentenceCapitals, lowerCaseWords, output);
                    segment = k + 1;
                }
            }

            if (segment > start)
            {
                AddName(tokens, segment, end, sentence, midSentenceCapitals, lowerCaseWords, output);
            }
        }
    }

    private static void AddName(
        List<Token> tokens, int start, int end, int sentence, HashSet<string> midSentenceCapitals, HashSet<string> lowerCaseWords, List<Candidate> output)
    {
        string? type = null;

        // Honorifics, and sentence-initial words that are common words (function words, words the document also writes in
        // lower case, single letters) are not part of the name ("The Journal of …", "Mr. Scrooge", "Poor Bob", "O God").
        while (start < end && (Honorifics.Contains(tokens[start].Lower)
            || (tokens[start].Initial && (EntityNames.Stopwords.Contains(tokens[start].Lower) || lowerCaseWords.Contains(tokens[start].Lower)
                || tokens[start].Lower.Length == 1))))
        {
            if (Honorifics.Contains(tokens[start].Lower))
            {
                type = EntityTypes.Person;
            }

            start++;
        }

        while (start < end && !tokens[start].Capitalized)
        {
            start++;
        }

        var length = end - start;
        if (length <= 0 || length > MaxNameTokens)
        {
            return;
        }

        var first = tokens[start];
        if (length == 1)
        {
            // A lone capitalized word at the start of a sentence is only a name if the document also capitalizes it mid-sentence.
            if (first.Initial && !first.Acronym && !midSentenceCapitals.Contains(first.Lower))
            {
                return;
            }

            if (first.Acronym)
            {
                type ??= EntityTypes.Acronym;
            }
        }

        var surface = tokens[end - 1].End > first.Start ? first.Source[first.Start..tokens[end - 1].End] : first.Text;
        var key = EntityNames.Normalize(surface);
        if (EntityNames.IsTrivial(key))
        {
            return;
        }

        if (type is null)
        {
            var words = key.Split(' ');
            if (words.Any(OrganizationWords.Contains))
            {
                type = EntityTypes.Organization;
            }
            else if ((words.Length > 1 && PlaceWords.Contains(words[0])) || PlaceWords.Contains(words[^1]))
            {
                type = EntityTypes.Place;
            }
            else if (PersonTitles.Contains(words[0]))
            {
                type = EntityTypes.Person;
            }
        }

        output.Add(new Candidate(key, TrimPossessive(surface), type, sentence));
    }

    /// <summary>Quoted titles (“Green”, ``Hello Love'', "A Christmas Carol") of one to eight words starting with a capital or digit.</summary>
    private static void CollectQuoted(string text, List<Token> tokens, int sentence, List<Candidate> output)
    {
        if (tokens.Count == 0)
        {
            return;
        }

        var start = tokens[0].Start;
        var end = tokens[^1].End;
        for (var i = start; i < end; i++)
        {
            var open = OpenQuoteLength(text, i);
            if (open == 0)
            {
                continue;
            }

            var contentStart = i + open;
            var close = -1;
            for (var j = contentStart; j < Math.Min(end + 2, text.Length) && j - contentStart <= 80; j++)
            {
                if (CloseQuoteLength(text, j, text[i]) > 0)
                {
                    close = j;
                    break;
                }
            }

            if (close <= contentStart)
            {
                continue;
            }

            var content = text[contentStart..close].Trim().TrimEnd(',', '.', '!', '?', ';', ':');
            var words = content.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length is >= 1 and <= MaxNameTokens && (char.IsUpper(content[0]) || char.IsDigit(content[0])))
            {
                var key = EntityNames.Normalize(content);
                if (!EntityNames.IsTrivial(key) && (words.Length > 1 || !EntityNames.Stopwords.Contains(key)))
                {
                    output.Add(new Candidate(key, content, EntityTypes.Title, sentence));
                }
            }

            i = close;
        }
    }

    private static int OpenQuoteLength(string text, int i) => text[i] switch
    {
        '“' => 1,
        '"' when i == 0 || !char.IsLetterOrDigit(text[i - 1]) => 1,
        '`' when i + 1 < text.Length && text[i + 1] == '`' => 2,
        _ => 0,
    };

    private static int CloseQuoteLength(string text, int j, char open) => open switch
    {
        '“' => text[j] is '”' ? 1 : 0,
        '"' => text[j] == '"' ? 1 : 0,
        _ => text[j] == '\'' && j + 1 < text.Length && text[j + 1] == '\'' ? 2 : 0,
    };

    private static string TrimPossessive(string surface) =>
        surface.EndsWith("'s", StringComparison.Ordinal) || surface.EndsWith("’s", StringComparison.Ordinal) ? surface[..^2] : surface;

    /// <summary>Words of one sentence with their case features. <see cref="Token.BreakBefore"/> marks punctuation that ends a name.</summary>
    private static List<Token> Tokenize(string text, Range range)
    {
        var (offset, length) = range.GetOffsetAndLength(text.Length);
        var end = offset + length;
        var tokens = new List<Token>();
        var breakPending = false;
        var openQuote = true; // the sentence start counts as "after an opening quote": the next word is initial
        var i = offset;
        while (i < end)
        {
            var c = text[i];
            if (c is '&' or '+')
            {
                tokens.Add(new Token(text, i, i + 1, c.ToString(), c.ToString(), false, false, openQuote, breakPending));
                breakPending = false;
                i++;
                continue;
            }

            if (!char.IsLetterOrDigit(c))
            {
                if (!char.IsWhiteSpace(c))
                {
                    breakPending = true;
                    // A word right after an opening quote or bracket starts a (quoted) sentence of its own.
                    openQuote |= c is '"' or '“' or '`' or '‘' or '(' or '[' or '—' or ':';
                }

                i++;
                continue;
            }

            var start = i;
            while (i < end && (char.IsLetterOrDigit(text[i]) || (IsInnerPunctuation(text[i]) && i + 1 < end && char.IsLetterOrDigit(text[i + 1]))))
            {
                i++;
            }

            // Keep the dot of an initial or dotted acronym ("J.", "U.S.") and of an honorific ("Mr."): they do not end a name.
            if (i < end && text[i] == '.' && char.IsUpper(text[start])
                && (i - start == 1 || text.AsSpan(start, i - start).Contains('.') || Honorifics.Contains(text[start..i].ToLowerInvariant())))
            {
                i++;
            }

            var word = text[start..i];
            var letters = 0;
            var upper = 0;
            foreach (var ch in word)
            {
                if (char.IsLetter(ch))
                {
                    letters++;
                    if (char.IsUpper(ch))
                    {
                        upper++;
                    }
                }
            }

            // Contractions ("I'll", "Don't") are never names.
            var capitalized = char.IsUpper(word[0]) && !IsContraction(word);
            var acronym = letters >= 2 && upper == letters && letters <= 10;
            tokens.Add(new Token(text, start, i, word, word.ToLowerInvariant().TrimEnd('.'), capitalized, acronym, openQuote, breakPending));
            breakPending = false;
            openQuote = false;
        }

        return tokens;
    }

    private static bool IsContraction(string word)
    {
        var apostrophe = word.LastIndexOfAny(['\'', '’']);
        if (apostrophe < 0)
        {
            return false;
        }

        var tail = word[(apostrophe + 1)..].ToLowerInvariant();
        return tail is "ll" or "t" or "m" or "d" or "re" or "ve" || (tail == "s" && word.Length <= 6 && word[..apostrophe].ToLowerInvariant() is "here" or "there" or "it" or "that" or "what" or "let" or "he" or "she" or "who");
    }

    private static bool IsInnerPunctuation(char c) => c is '-' or '\'' or '’' or '.' or '&';

    private readonly record struct Token(
        string Source, int Start, int End, string Text, string Lower, bool Capitalized, bool Acronym, bool Initial, bool BreakBefore);

    private readonly record struct Candidate(string Key, string Surface, string? Type, int Sentence);

    private sealed class KeyInfo(string key)
    {
        public string Key { get; } = key;

        public int Count { get; set; }

        public string? Type { get; set; }

        public Dictionary<string, int> Surfaces { get; } = new(StringComparer.Ordinal);

        /// <summary>The most frequent surface form (ties: the shorter, then ordinal).</summary>
        public string DisplayName => Surfaces
            .OrderByDescending(s => s.Value).ThenBy(s => s.Key.Length).ThenBy(s => s.Key, StringComparer.Ordinal).First().Key;
    }
}
