namespace Retrieval.Core.Ingestion;

public enum BlockKind
{
    Heading,
    Paragraph,
    ListItem,
    Code,
    Table,
}

/// <summary>A structural block of the parsed text: <see cref="Start"/>/<see cref="Length"/> index into <see cref="ParsedDocument.Text"/>.</summary>
public readonly record struct TextBlock(int Start, int Length, BlockKind Kind, int HeadingLevel = 0);

/// <summary>Normalized plain text of a document plus its structure (headings, paragraphs, list items).</summary>
public sealed record ParsedDocument(string Text, string? Title, IReadOnlyList<TextBlock> Blocks);

/// <summary>Turns the bytes of one file format into a <see cref="ParsedDocument"/>.</summary>
public interface IDocumentParser
{
    /// <summary>Canonical content types this parser handles, e.g. <c>text/markdown</c>.</summary>
    IReadOnlyList<string> ContentTypes { get; }

    /// <summary>File extensions with the dot, lower case, e.g. <c>.md</c>.</summary>
    IReadOnlyList<string> Extensions { get; }

    /// <summary>Parses the content. Throws <see cref="DocumentParseException"/> for corrupt input.</summary>
    ParsedDocument Parse(ReadOnlyMemory<byte> content, CancellationToken cancellationToken);
}

/// <summary>A document that cannot be parsed (corrupt, unsupported, empty): fails that document only.</summary>
public sealed class DocumentParseException : ValidationException
{
    public DocumentParseException(string message) : base(message) { }

    public DocumentParseException(string message, Exception inner) : base(message, inner) { }

    public DocumentParseException() { }
}

/// <summary>A chunk produced by the chunker, before embedding.</summary>
public sealed record TextChunk(int Ordinal, string Text, int StartOffset, int EndOffset, string SectionPath, int TokenCount);
