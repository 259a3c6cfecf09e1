using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Retrieval.Core.Ingestion;
using Retrieval.Core.Ingestion.Chunking;
using Retrieval.Core.Ingestion.Parsing;
using Retrieval.Core.Options;

namespace Retrieval.Core.Tests.Ingestion;

/// <summary>
/// Hostile documents through the service's parse entry point (<see cref="DocumentParsers.Parse"/>) and the chunker:
/// each is refused with a clear <see cref="ValidationException"/> naming its limit, or turned into bounded chunks.
/// Per-format basics (Markdown/JSON/HTML nesting, declared zip-bomb sizes, binary text) live in the parser tests.
/// </summary>
public sealed class HostileInputTests
{
    private static ParsedDocument Parse(byte[] content, string name, IngestionOptions? options = null) =>
        DocumentParsers.CreateDefault(options).Parse(content, name, contentType: null, CancellationToken.None);

    [Fact]
    public void Chunk_TwentyMillionCharacterLineWithoutSpaces_BoundedChunksCoveringTheLine()
    {
        byte[] line = new byte[20_000_000];
        line.AsSpan().Fill((byte)'x');
        var document = Parse(line, "blob.txt");
        var tokenizer = new WhitespaceTokenizer();

        var chunks = TextChunker.Chunk(document, tokenizer, chunkTokens: 256, overlapTokens: 32);

        int maxChars = 256 * TextChunker.MaxCharsPerToken;
        Assert.All(chunks, c => Assert.True(c.Text.Length <= maxChars, $"chunk {c.Ordinal} has {c.Text.Length} characters"));
        Assert.Equal(0, chunks[0].StartOffset);
        Assert.Equal(document.Text.Length, chunks[^1].EndOffset);
        Assert.All(chunks.Skip(1).Zip(chunks), pair => Assert.True(pair.First.StartOffset <= pair.Second.EndOffset, "a gap between chunks"));
        // Linear work: every character is counted a small, constant number of times (no re-counting of a growing chunk).
        Assert.True(tokenizer.CharactersCounted <= 3L * document.Text.Length, $"{tokenizer.CharactersCounted} characters counted for {document.Text.Length}");
    }

    [Fact]
    public void Chunk_LongRunOfAstralCharacters_NeverSplitsASurrogatePair()
    {
        string text = string.Concat(Enumerable.Repeat("🦭", 5_000));
        var document = Parse(Encoding.UTF8.GetBytes(text), "seals.txt");

        var chunks = TextChunker.Chunk(document, new WhitespaceTokenizer(), chunkTokens: 32, overlapTokens: 0);

        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c =>
        {
            Assert.False(char.IsLowSurrogate(c.Text[0]), $"chunk {c.Ordinal} starts inside a surrogate pair");
            Assert.False(char.IsHighSurrogate(c.Text[^1]), $"chunk {c.Ordinal} ends inside a surrogate pair");
        });
        Assert.Equal(text, string.Concat(chunks.Select(c => c.Text)));
    }

    [Fact]
    public void Chunk_ManyShortUnknownWords_ChunkBoundedByCharactersToo()
    {
        // 150-character "words" are one [UNK] token each in a WordPiece vocabulary: 256 of them would be 38,000 characters.
        string word = new('q', 150);
        var document = Parse(Encoding.UTF8.GetBytes(string.Join(' ', Enumerable.Repeat(word, 1_000))), "unknown.txt");

        var chunks = TextChunker.Chunk(document, new WhitespaceTokenizer(), chunkTokens: 256, overlapTokens: 32);

        Assert.All(chunks, c => Assert.True(c.Text.Length <= 256 * TextChunker.MaxCharsPerToken, $"chunk {c.Ordinal} has {c.Text.Length} characters"));
        Assert.Equal(document.Text.Length, chunks[^1].EndOffset);
    }

    public static TheoryData<string, byte[]> InvalidUtf8() => new()
    {
        { "overlong.html", [.. "<p>a"u8, 0xC0, 0xAF, .. "b</p>"u8] },
        { "surrogate.md", [.. "# t\n\n"u8, 0xED, 0xA0, 0x80, .. " x"u8] },
        { "truncated.json", [.. "{\"text\": \"caf"u8, 0xC3] },
        { "lone-continuation.jsonl", [.. "{\"a\": 1}\n{\"b\": \""u8, 0x80, .. "\"}"u8] },
        { "beyond-unicode.txt", [.. "text "u8, 0xF5, 0x80, 0x80, 0x80] },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public void Parse_InvalidUtf8InAnyTextFormat_RefusedNamingTheByte(string name, byte[] content)
    {
        var ex = Assert.Throws<DocumentParseException>(() => Parse(content, name));

        Assert.Contains("not valid UTF-8", ex.Message, StringComparison.Ordinal);
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HtmlWithMoreElementsThanMaxHtmlElements_RefusedBeforeParsing()
    {
        byte[] html = Encoding.UTF8.GetBytes("<p>start" + string.Concat(Enumerable.Repeat("<br>", 2_000)) + "end</p>");
        var options = new IngestionOptions { MaxHtmlElements = 1_000 };

        var ex = Assert.Throws<PayloadTooLargeException>(() => Parse(html, "many.html", options));

        Assert.Contains("MaxHtmlElements", ex.Message, StringComparison.Ordinal);
        Assert.Contains("start", Parse(html, "many.html").Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HtmlDeeperThanConfiguredMaxHtmlDepth_Refused()
    {
        string Nested(int depth) => string.Concat(Enumerable.Repeat("<div>", depth)) + "deep" + string.Concat(Enumerable.Repeat("</div>", depth));
        var options = new IngestionOptions { MaxHtmlDepth = 32 };

        var ex = Assert.Throws<DocumentParseException>(() => Parse(Encoding.UTF8.GetBytes(Nested(40)), "deep.html", options));

        Assert.Contains("MaxHtmlDepth", ex.Message, StringComparison.Ordinal);
        Assert.Equal("deep", Parse(Encoding.UTF8.GetBytes(Nested(30)), "ok.html", options).Text);
    }

    [Theory]
    [InlineData("deep.json", "{\"a\":", "1", "}")]
    [InlineData("deep.jsonl", "[", "1", "]")]
    public void Parse_JsonDeeperThanConfiguredMaxJsonDepth_Refused(string name, string open, string leaf, string close)
    {
        string Nested(int depth) => string.Concat(Enumerable.Repeat(open, depth)) + leaf + string.Concat(Enumerable.Repeat(close, depth));
        var options = new IngestionOptions { MaxJsonDepth = 8 };

        var ex = Assert.Throws<DocumentParseException>(() => Parse(Encoding.UTF8.GetBytes(Nested(12)), name, options));

        Assert.Contains("MaxJsonDepth", ex.Message, StringComparison.Ordinal);
        Assert.NotEmpty(Parse(Encoding.UTF8.GetBytes(Nested(6)), name, options).Text);
    }

    [Fact]
    public void Parse_DocxWithMorePartsThanMaxArchiveEntries_Refused()
    {
        byte[] docx = DocxFixtures.Create(body => body.Append(DocxFixtures.Paragraph("Small.")));
        var options = new IngestionOptions { MaxArchiveEntries = 3 };

        var ex = Assert.Throws<PayloadTooLargeException>(() => Parse(docx, "parts.docx", options));

        Assert.Contains("MaxArchiveEntries", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DocxWhoseHeadersUnderstateTheInflatedSize_RefusedWithoutInflatingIt()
    {
        // ~6 MB of markup (empty styled paragraphs) that deflates to a few KB, while the zip headers claim 1 KB, so the
        // declared-size check passes. System.IO.Compression stops inflating at the declared size, so the XML ends after
        // 1 KB and the file is refused as corrupt (were it inflated further, LimitedReadStream would stop it at 4 MiB).
        var xml = new StringBuilder("<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>");
        xml.Append("<w:p><w:r><w:t>Inflated.</w:t></w:r></w:p>");
        for (int i = 0; i < 100_000; i++)
        {
            xml.Append("<w:p><w:pPr><w:pStyle w:val=\"BodyText\"/></w:pPr></w:p>");
        }

        xml.Append("</w:body></w:document>");
        byte[] docx = ReplaceEntry(DocxFixtures.Create(body => body.Append(DocxFixtures.Paragraph("Small."))), "word/document.xml", xml.ToString());
        Assert.True(docx.Length < 100_000, $"the fixture should compress well, was {docx.Length} bytes");
        var options = new IngestionOptions { MaxDocumentChars = 10_000 }; // at most 4 MiB of XML
        Assert.Throws<PayloadTooLargeException>(() => Parse(docx, "honest.docx", options)); // the declared size is refused

        var ex = Assert.ThrowsAny<ValidationException>(() => Parse(UnderstateUncompressedSize(docx, "word/document.xml", 1_024), "lying.docx", options));

        Assert.Contains("lying.docx", ex.Message, StringComparison.Ordinal);
    }

    private static byte[] ReplaceEntry(byte[] zip, string entryName, string content)
    {
        using var stream = new MemoryStream();
        stream.Write(zip);
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            archive.GetEntry(entryName)!.Delete();
            using var writer = new StreamWriter(archive.CreateEntry(entryName, CompressionLevel.SmallestSize).Open(), new UTF8Encoding(false));
            writer.Write(content);
        }

        return stream.ToArray();
    }

    /// <summary>Rewrites the uncompressed-size fields of one entry in both its local header and the central directory.</summary>
    private static byte[] UnderstateUncompressedSize(byte[] zip, string entryName, uint declared)
    {
        byte[] result = (byte[])zip.Clone();
        byte[] name = Encoding.UTF8.GetBytes(entryName);
        int patched = 0;
        for (int i = 0; i + 46 < result.Length; i++)
        {
            uint signature = BinaryPrimitives.ReadUInt32LittleEndian(result.AsSpan(i));
            if (signature == 0x04034b50 && NameAt(result, i + 30, BinaryPrimitives.ReadUInt16LittleEndian(result.AsSpan(i + 26)), name))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(i + 22), declared);
                patched++;
            }
            else if (signature == 0x02014b50 && NameAt(result, i + 46, BinaryPrimitives.ReadUInt16LittleEndian(result.AsSpan(i + 28)), name))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(i + 24), declared);
                patched++;
            }
        }

        Assert.Equal(2, patched);
        return result;
    }

    private static bool NameAt(byte[] data, int offset, int length, byte[] name) =>
        length == name.Length && offset + length <= data.Length && data.AsSpan(offset, length).SequenceEqual(name);
}
