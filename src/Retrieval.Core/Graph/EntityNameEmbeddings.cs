using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Retrieval.Core.Embeddings;

namespace Retrieval.Core.Graph;

/// <summary>
/// Embeddings of entity display names for linking a query to entities by similarity (HippoRAG's nearest-entity linking).
/// Names are short, so they are embedded lazily at query time, only for entities the caller already reached through
/// chunks it may read, and cached per tenant and name: the cache maps a name to a pure function of that name, is never
/// enumerated, and is consulted only for names the caller has legitimately obtained, so it cannot reveal an entity.
/// </summary>
public sealed class EntityNameEmbeddings
{
    /// <summary>Cached names at most; the cache is cleared when it grows beyond this (names re-embed cheaply).</summary>
    public const int Capacity = 200_000;

    private static readonly EmbeddingGenerationOptions NameOptions = new()
    {
        AdditionalProperties = new() { [EmbeddingInputType.Key] = EmbeddingInputType.Document },
    };

    private readonly IEmbeddingGenerator<string, Embedding<float>> _generator;
    private readonly ConcurrentDictionary<(string Tenant, string Name), float[]> _cache = new();

    public EntityNameEmbeddings(IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        _generator = generator;
    }

    /// <summary>Cosine similarity (the model's vectors are normalized) of <paramref name="query"/> to each name, in order.</summary>
    public async Task<double[]> SimilaritiesAsync(
        string tenant, ReadOnlyMemory<float> query, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        var vectors = new float[names.Count][];
        var missing = new List<int>();
        for (var i = 0; i < names.Count; i++)
        {
            if (_cache.TryGetValue((tenant, names[i]), out var cached))
            {
                vectors[i] = cached;
            }
            else
            {
                missing.Add(i);
            }
        }

        if (missing.Count > 0)
        {
            var distinct = missing.Select(i => names[i]).Distinct(StringComparer.Ordinal).ToList();
            var embedded = await _generator.GenerateAsync(distinct, NameOptions, cancellationToken).ConfigureAwait(false);
            if (_cache.Count + distinct.Count > Capacity)
            {
                _cache.Clear();
            }

            var byName = new Dictionary<string, float[]>(StringComparer.Ordinal);
            for (var j = 0; j < distinct.Count; j++)
            {
                var vector = embedded[j].Vector.ToArray();
                byName[distinct[j]] = vector;
                _cache[(tenant, distinct[j])] = vector;
            }

            foreach (var i in missing)
            {
                vectors[i] = byName[names[i]];
            }
        }

        var similarities = new double[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            similarities[i] = vectors[i].Length == query.Length ? TensorPrimitives.Dot(query.Span, vectors[i]) : 0;
        }

        return similarities;
    }
}
