using Retrieval.Core.Documents;
using Retrieval.Core.Security;
using Retrieval.Core.Storage;

namespace Retrieval.Storage.Neo4j;

/// <summary>A document version as Neo4j's chunks name it.</summary>
internal readonly record struct DocumentVersion(string Document, long Version);

/// <summary>Neo4j's claim that a readable chunk of a document version supports something: the chunk's id and text hash.</summary>
internal readonly record struct Support(DocumentVersion Source, string Chunk, string Hash);

/// <summary>
/// Checks Neo4j's answers against the document store, which is the source of truth. The projection follows the store
/// after its commit, so after a failed projection Neo4j can still hold an older version of a document, with an older,
/// possibly broader ACL, until the next ingest repairs it. Neo4j's own ACL predicate alone would then show entity names
/// of a document the caller may no longer read. So every document version Neo4j cites is confirmed by asking the store
/// for one of its chunks (the lowest id) through the caller's filter: the store returns it only if that exact version
/// (chunk ids embed tenant, document id and version) is the current one and the caller may read it now; the text hash
/// must match too, which catches a document deleted and re-created at the same version number. All chunks of a version
/// share the document's ACL in the store, so one chunk per version stands for all of them: the cost is one batched
/// lookup per read, proportional to the number of distinct documents in the answer, not to the chunks.
/// </summary>
internal sealed class SupportVerifier
{
    private readonly IDocumentStore _documents;

    public SupportVerifier(IDocumentStore documents) => _documents = documents;

    public async Task<HashSet<DocumentVersion>> VerifyAsync(AclFilter filter, IEnumerable<Support> supports, CancellationToken cancellationToken)
    {
        var representatives = new Dictionary<DocumentVersion, Support>();
        foreach (var support in supports)
        {
            if (!representatives.TryGetValue(support.Source, out var current) || string.CompareOrdinal(support.Chunk, current.Chunk) < 0)
            {
                representatives[support.Source] = support;
            }
        }

        var verified = new HashSet<DocumentVersion>();
        if (representatives.Count == 0)
        {
            return verified;
        }

        var found = await _documents.GetChunksAsync(filter, [.. representatives.Values.Select(r => r.Chunk)], cancellationToken).ConfigureAwait(false);
        var byId = found.ToDictionary(c => c.Chunk.Id, StringComparer.Ordinal);
        foreach (var (source, support) in representatives)
        {
            if (byId.TryGetValue(support.Chunk, out var stored)
                && string.Equals(stored.Chunk.DocumentId, source.Document, StringComparison.Ordinal)
                && string.Equals(ChunkId.ContentHash(stored.Chunk.Text), support.Hash, StringComparison.Ordinal))
            {
                verified.Add(source);
            }
        }

        return verified;
    }
}
