using System.Globalization;

namespace Retrieval.Eval.Cli;

/// <summary>A command line the tool cannot run; the message says what is wrong and the usage is printed.</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException()
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Parsed command line: <c>retrieval</c>, <c>answers</c> or <c>groundedness</c> and its options.</summary>
public sealed record EvalOptions
{
    public const string Usage =
        """
        usage:
          retrieval    --dataset DIR [--split train] [--format beir|cranfield] [--modes lexical,dense,dense+lexical,graph,hybrid]
                       [--model arctic-xs|minilm] [--store DIR] [--limit-queries N] [--queries all|tune|heldout] [--depth N] [--tune-fusion]
                       [--set Retrieval:Query:RrfK=60 ...] [--out DIR]
          answers      --dataset DIR [--split train] [--model arctic-xs|minilm] [--store DIR] [--limit-queries N]
                       [--top-k N] [--judge lexical|llm] [--set KEY=VALUE ...] [--out DIR]
          groundedness --dataset DIR [--format summedits|qags] [--judge lexical|llm] [--limit N] [--parallel N]
                       [--set KEY=VALUE ...] [--out DIR]
        --judge llm uses the LLM judge (Retrieval:Verification:Judge=Llm) and needs LLM_ENDPOINT and LLM_MODEL
        (LLM_API_KEY if needed) or --set Retrieval:Llm:Endpoint=URL --set Retrieval:Llm:Model=NAME.
        """;

    private static readonly string[] Commands = ["retrieval", "answers", "groundedness"];

    public required string Command { get; init; }

    public required string Dataset { get; init; }

    public string Split { get; init; } = "train";

    public string? Format { get; init; }

    public IReadOnlyList<string> Modes { get; init; } = ["lexical", "dense", "hybrid"];

    public string? Model { get; init; }

    public string? Store { get; init; }

    public int? LimitQueries { get; init; }

    public int? TopK { get; init; }

    public int? Depth { get; init; }

    public bool TuneFusion { get; init; }

    /// <summary><c>all</c> (default), <c>tune</c> (even positions among the judged queries) or <c>heldout</c> (odd positions).</summary>
    public string Queries { get; init; } = "all";

    public string? Out { get; init; }

    /// <summary><c>lexical</c> (default) or <c>llm</c>: the answer judge for <c>answers</c> and <c>groundedness</c>.</summary>
    public string Judge { get; init; } = "lexical";

    /// <summary>groundedness: score an evenly spaced subset of this many examples.</summary>
    public int? Limit { get; init; }

    /// <summary>groundedness with the LLM judge: concurrent judge calls.</summary>
    public int? Parallel { get; init; }

    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    public static EvalOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0 || !Commands.Contains(args[0]))
        {
            throw new UsageException(args.Count == 0 ? "No command given." : $"Unknown command '{args[0]}'.");
        }

        var command = args[0];
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var tune = false;
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--tune-fusion")
            {
                tune = true;
                continue;
            }

            if (!name.StartsWith("--", StringComparison.Ordinal) || !Allowed(command).Contains(name))
            {
                throw new UsageException($"Unknown option '{name}' for '{command}'.");
            }

            if (i + 1 >= args.Count)
            {
                throw new UsageException($"Option '{name}' needs a value.");
            }

            var value = args[++i];
            if (name == "--set")
            {
                var eq = value.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new UsageException($"--set expects KEY=VALUE, got '{value}'.");
                }

                settings[value[..eq]] = value[(eq + 1)..];
                continue;
            }

            values[name] = value;
        }

        if (tune && command != "retrieval")
        {
            throw new UsageException("--tune-fusion applies to 'retrieval' only.");
        }

        if (!values.TryGetValue("--dataset", out var dataset) || string.IsNullOrWhiteSpace(dataset))
        {
            throw new UsageException("--dataset DIR is required.");
        }

        var options = new EvalOptions
        {
            Command = command,
            Dataset = dataset,
            Split = values.GetValueOrDefault("--split", "train"),
            Format = values.GetValueOrDefault("--format")?.ToLowerInvariant(),
            Modes = values.TryGetValue("--modes", out var modes)
                ? modes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => m.ToLowerInvariant()).Distinct().ToList()
                : ["lexical", "dense", "hybrid"],
            Model = values.GetValueOrDefault("--model")?.ToLowerInvariant(),
            Store = values.GetValueOrDefault("--store"),
            LimitQueries = PositiveInt(values, "--limit-queries"),
            TopK = PositiveInt(values, "--top-k"),
            Depth = PositiveInt(values, "--depth"),
            TuneFusion = tune,
            Queries = values.GetValueOrDefault("--queries", "all").ToLowerInvariant(),
            Out = values.GetValueOrDefault("--out"),
            Judge = values.GetValueOrDefault("--judge", "lexical").ToLowerInvariant(),
            Limit = PositiveInt(values, "--limit"),
            Parallel = PositiveInt(values, "--parallel"),
            Settings = settings,
        };
        Validate(options);
        return options;
    }

    private static string[] Allowed(string command) => command switch
    {
        "retrieval" => ["--dataset", "--split", "--format", "--modes", "--model", "--store", "--limit-queries", "--queries", "--depth", "--out", "--set"],
        "answers" => ["--dataset", "--split", "--model", "--store", "--limit-queries", "--top-k", "--judge", "--out", "--set"],
        _ => ["--dataset", "--format", "--judge", "--limit", "--parallel", "--out", "--set"],
    };

    private static void Validate(EvalOptions options)
    {
        var formats = options.Command == "groundedness" ? new[] { "summedits", "qags" } : ["beir", "cranfield"];
        if (options.Format is not null && !formats.Contains(options.Format))
        {
            throw new UsageException($"--format must be {string.Join(" or ", formats)} for '{options.Command}', got '{options.Format}'.");
        }

        if (options.Model is not null and not ("arctic-xs" or "minilm"))
        {
            throw new UsageException($"--model must be arctic-xs or minilm, got '{options.Model}'.");
        }

        foreach (var mode in options.Modes)
        {
            try
            {
                Retrieval.Core.Query.RetrievalModes.Parse(mode);
            }
            catch (Retrieval.Core.ValidationException)
            {
                throw new UsageException($"Unknown mode '{mode}' in --modes (use lexical, dense, graph, hybrid or a '+' combination such as dense+lexical+graph).");
            }
        }

        if (options.Judge is not ("lexical" or "llm"))
        {
            throw new UsageException($"--judge must be lexical or llm, got '{options.Judge}'.");
        }

        if (options.Queries is not ("all" or "tune" or "heldout"))
        {
            throw new UsageException($"--queries must be all, tune or heldout, got '{options.Queries}'.");
        }

        if (options.Modes.Count == 0)
        {
            throw new UsageException("--modes needs at least one mode.");
        }
    }

    private static int? PositiveInt(Dictionary<string, string> values, string name)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"{name} must be a positive integer, got '{text}'.");
    }
}

/// <summary>The LLM settings <c>--judge llm</c> runs with: <c>--set Retrieval:Llm:*</c>, else <c>LLM_ENDPOINT</c>, <c>LLM_MODEL</c>, <c>LLM_API_KEY</c>.</summary>
public static class JudgeSettings
{
    public const string MissingEndpoint =
        "--judge llm needs an OpenAI-compatible LLM: set LLM_ENDPOINT (e.g. http://localhost:11434/v1) and LLM_MODEL (and LLM_API_KEY if needed), " +
        "or pass --set Retrieval:Llm:Endpoint=URL --set Retrieval:Llm:Model=NAME.";

    /// <summary>The options' settings plus what the LLM judge needs; unchanged for the lexical judge. Throws <see cref="UsageException"/> without an endpoint or model.</summary>
    public static IReadOnlyDictionary<string, string?> Resolve(EvalOptions options, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        if (options.Judge != "llm")
        {
            return options.Settings;
        }

        var settings = new Dictionary<string, string?>(options.Settings, StringComparer.OrdinalIgnoreCase);
        Fill(settings, "Retrieval:Llm:Endpoint", environment("LLM_ENDPOINT"));
        Fill(settings, "Retrieval:Llm:Model", environment("LLM_MODEL"));
        Fill(settings, "Retrieval:Llm:ApiKey", environment("LLM_API_KEY"));
        if (string.IsNullOrWhiteSpace(settings.GetValueOrDefault("Retrieval:Llm:Endpoint")))
        {
            throw new UsageException(MissingEndpoint);
        }

        if (string.IsNullOrWhiteSpace(settings.GetValueOrDefault("Retrieval:Llm:Model")))
        {
            throw new UsageException("--judge llm: the LLM endpoint is set but no model: set LLM_MODEL or --set Retrieval:Llm:Model=NAME.");
        }

        settings["Retrieval:Verification:Judge"] = "Llm";
        return settings;
    }

    private static void Fill(Dictionary<string, string?> settings, string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(settings.GetValueOrDefault(key)) && !string.IsNullOrWhiteSpace(value))
        {
            settings[key] = value;
        }
    }
}
