namespace Retrieval.Core.Documents;

/// <summary>A stored document (DESIGN.md §2). <see cref="Id"/> is chosen by the caller and stable per tenant.</summary>
public sealed record DocumentRecord(
    string Id,
    string Tenant,
    string Source,
    string Title,
    string ContentType,
    string ContentHash,
    int Version,
    IReadOnlyList<string> Acl,
    IReadOnlyDictionary<string, string> Metadata,
    int ChunkCount,
    long TokenCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
