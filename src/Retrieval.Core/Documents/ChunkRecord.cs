namespace Retrieval.Core.Documents;

/// <summary>
/// One chunk of a document version. Its id is <see cref="ChunkId.For"/>(documentId, version, ordinal).
/// Offsets are character offsets into the parsed document text, so citations can point into the source.
/// The owning document's tenant and ACL are copied onto the chunk by every store, so every index filters
/// on the chunk itself.
/// </summary>
public sealed record ChunkRecord(
    string Id,
    string DocumentId,
    int Ordinal,
    string Text,
    int StartOffset,
    int EndOffset,
    string SectionPath,
    int TokenCount,
    ReadOnlyMemory<float> Embedding);
