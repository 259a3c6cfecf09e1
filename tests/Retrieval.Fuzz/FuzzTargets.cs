using System.Diagnostics;
using Retrieval.Core;
using Retrieval.Core.Embeddings;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Chunking;
using Retrieval.Core.Ingestion.Parsing;
using Retrieval.Core.Options;

namespace Retrieval.Fuzz;

/// <summary>One fuzz target: bytes in; returns what happened for any acceptable outcome, throws for a finding.</summary>
internal interface IFuzzTarget
{
    string Run(byte[] input);
}

/// <summary>An input broke a promise of the code under test (an invariant, or an exception that is not a clear 4xx).</summary>
internal sealed class FuzzFindingException : Exception
{
    public FuzzFindingException(string message) : base(message) { }

    public FuzzFindingException(string message, Exception inner) : base(message, inner) { }

    public FuzzFindingException() { }
}

internal static class FuzzTargets
{
    private static readonly Dictionary<string, Func<IFuzzTarget>> Factories = new(StringComparer.Ordinal)
    {
        ["pdf"] = () => new ParserTarget("input.pdf"),
        ["docx"] = () => new ParserTarget("input.docx"),
        ["docx-xml"] = () => new DocxXmlTarget(),
        ["html"] = () => new ParserTarget("input.html"),
        ["markdown"] = () => new ParserTarget("input.md"),
        ["json"] = () => new ParserTarget("input.json"),
        ["jsonl"] = () => new ParserTarget("input.jsonl"),
        ["text"] = () => new ParserTarget("input.txt"),
        ["query"] = () => new QueryTarget(),
    };

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    public static IFuzzTarget? Create(string name) => Factories.TryGetValue(name, out var factory) ? factory() : null;
}

/// <summary>
/// A file through the service's own entry point (<see cref="DocumentParsers.Parse"/>, as the ingestor calls it) and then
/// the chunker. Acceptable: a <see cref="ParsedDocument"/> that keeps the parser contract, or a
/// <see cref="ValidationException"/> (400/413) that does not hide a bug of ours. Anything else is a finding.
/// </summary>
internal sealed class ParserTarget : IFuzzTarget
{
    // Small enough that the size guards are reached by fuzzed inputs, large enough for real structure.
    private static readonly IngestionOptions Options = new() { MaxDocumentBytes = 1024 * 1024, MaxDocumentChars = 200_000 };

    private readonly DocumentParsers _parsers = DocumentParsers.CreateDefault(Options);
    private readonly string _fileName;

    public ParserTarget(string fileName) => _fileName = fileName;

    public string Run(byte[] input)
    {
        ParsedDocument parsed;
        try
        {
            parsed = _parsers.Parse(input, _fileName, contentType: null, CancellationToken.None);
        }
        catch (ValidationException ex)
        {
            // DocumentParsers wraps what a parser let escape as "could not be parsed": the parser did not anticipate it.
            if (ex is DocumentParseException && ex.InnerException is { } escaped and not ValidationException)
            {
                throw new FuzzFindingException($"the parser let {escaped.GetType().Name} escape: {escaped.Message}", escaped);
            }

            if (OurBug(ex.InnerException) is { } bug)
            {
                throw new FuzzFindingException($"a bug in Retrieval code was reported as a parse error: {bug.GetType().Name}", bug);
            }

            return "refused: " + ex.Message + (ex.InnerException is { } inner ? $" [{Describe(inner)}]" : string.Empty);
        }

        Invariants.CheckParsed(parsed, Options.MaxDocumentChars);
        var chunks = TextChunker.Chunk(parsed, new WordTokenizer(), chunkTokens: 64, overlapTokens: 8);
        Invariants.CheckChunks(parsed, chunks);
        return $"parsed: {parsed.Text.Length} chars, {parsed.Blocks.Count} blocks, {chunks.Count} chunks";
    }

    private static string Describe(Exception exception)
    {
        var innermost = exception;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        var frame = new StackTrace(innermost).GetFrame(0)?.GetMethod();
        return $"{innermost.GetType().Name} at {frame?.DeclaringType?.FullName}.{frame?.Name}: {innermost.Message}";
    }

    /// <summary>A programming error (null, index, cast…) thrown by Retrieval code itself, not by a library refusing bad input.</summary>
    private static Exception? OurBug(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NullReferenceException or IndexOutOfRangeException or ArgumentException or InvalidCastException
                    or InvalidOperationException or OverflowException or DivideByZeroException or KeyNotFoundException
                && new StackTrace(e).GetFrame(0)?.GetMethod()?.DeclaringType?.Namespace?.StartsWith("Retrieval", StringComparison.Ordinal) == true)
            {
                return e;
            }
        }

        return null;
    }
}

/// <summary>
/// The body XML of a Word document: the input becomes word/document.xml of an otherwise valid package (stored
/// uncompressed), so mutations reach the XML reader and the WordprocessingML walk instead of dying on zip checksums.
/// </summary>
internal sealed class DocxXmlTarget : IFuzzTarget
{
    private readonly ParserTarget _docx = new("input.docx");
    private readonly byte[] _template = SeedCorpus.Docx();

    public string Run(byte[] input) => _docx.Run(Package(_template, input));

    public static byte[] Package(byte[] template, byte[] documentXml)
    {
        using var stream = new MemoryStream();
        stream.Write(template);
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Update, leaveOpen: true))
        {
            zip.GetEntry("word/document.xml")?.Delete();
            using var entry = zip.CreateEntry("word/document.xml", System.IO.Compression.CompressionLevel.NoCompression).Open();
            entry.Write(documentXml);
        }

        return stream.ToArray();
    }
}

/// <summary>Counts whitespace-separated words, like a BERT tokenizer counts at least one token per word.</summary>
internal sealed class WordTokenizer : ITextTokenizer
{
    public int CountTokens(string text)
    {
        int count = 0;
        bool inWord = false;
        foreach (char c in text)
        {
            bool space = char.IsWhiteSpace(c);
            if (!space && !inWord)
            {
                count++;
            }

            inWord = !space;
        }

        return count;
    }
}
