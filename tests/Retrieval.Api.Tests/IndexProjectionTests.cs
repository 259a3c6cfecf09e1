using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Core;
using Retrieval.Core.Documents;
using Retrieval.Core.Graph;
using Retrieval.Core.Storage;

namespace Retrieval.Api.Tests;

/// <summary>
/// Indexes in other engines follow the document store through <see cref="IIndexProjection"/>: every write reaches them,
/// a failed projection is repaired by the next ingestion instead of being skipped as unchanged, and deletes clean up.
/// </summary>
public sealed class IndexProjectionTests : IDisposable
{
    private readonly RecordingProjection _projection = new();
    private readonly ProjectionFactory _factory;

    public IndexProjectionTests() => _factory = new ProjectionFactory(_projection);

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task UpsertDocument_WithProjection_ProjectsChunksAclAndGraph()
    {
        using var client = _factory.ClientFor("alice", ["eng"]);

        await client.PostJsonAsync("/v1/documents", Body("The Quillfeather Institute publishes the Harbor Journal."), HttpStatusCode.Created);

        var projected = Assert.Single(_projection.Projected);
        Assert.Equal("memo", projected.Document.Id);
        Assert.Equal(["group:eng"], projected.Document.Acl);
        Assert.NotEmpty(projected.Chunks);
        Assert.All(projected.Chunks, c => Assert.False(c.Embedding.IsEmpty));
        Assert.NotNull(projected.Graph);
        Assert.True(_factory.Services.GetRequiredService<IDocumentStore>() is ProjectingDocumentStore);
    }

    [Fact]
    public async Task UpsertDocument_SameContentAndProjectionCurrent_IsSkippedAsUnchanged()
    {
        using var client = _factory.ClientFor("alice", ["eng"]);

        await client.PostJsonAsync("/v1/documents", Body("Unchanged text about the Quillfeather Institute."), HttpStatusCode.Created);
        var again = await client.PostJsonAsync("/v1/documents", Body("Unchanged text about the Quillfeather Institute."), HttpStatusCode.OK);

        Assert.True(again.GetProperty("unchanged").GetBoolean());
        Assert.Single(_projection.Projected);
    }

    [Fact]
    public async Task UpsertDocument_ProjectionFailedOnce_Answers503AndTheRetryProjectsInsteadOfSkipping()
    {
        using var client = _factory.ClientFor("alice", ["eng"]);
        _projection.FailNext = true;

        using var failed = await client.PostAsJsonAsync("/v1/documents", Body("Retried text about the Quillfeather Institute."));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Contains("problem+json", failed.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);

        var retried = await client.PostJsonAsync("/v1/documents", Body("Retried text about the Quillfeather Institute."), HttpStatusCode.Created);

        Assert.False(retried.GetProperty("unchanged").GetBoolean());
        var projected = Assert.Single(_projection.Projected);
        Assert.Equal(retried.GetProperty("version").GetInt32(), projected.Document.Version);
    }

    [Fact]
    public async Task DeleteDocument_RemovesFromProjections_AlsoWhenTheStoreNoLongerHasIt()
    {
        using var client = _factory.ClientFor("alice", ["eng"]);
        await client.PostJsonAsync("/v1/documents", Body("Deleted text about the Quillfeather Institute."), HttpStatusCode.Created);

        using var deleted = await client.DeleteAsync(new Uri("/v1/documents/memo", UriKind.Relative));
        using var again = await client.DeleteAsync(new Uri("/v1/documents/memo", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(["acme/memo", "acme/memo"], _projection.Removed);
    }

    private static object Body(string text) => new { id = "memo", title = "Memo", text, acl = new[] { "group:eng" } };

    private sealed class ProjectionFactory(RecordingProjection projection) : RetrievalApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<IIndexProjection>(projection));
        }
    }

    private sealed record Projection(DocumentRecord Document, IReadOnlyList<ChunkRecord> Chunks, DocumentGraph? Graph);

    /// <summary>Remembers what it was given; can fail once like an unreachable engine.</summary>
    private sealed class RecordingProjection : IIndexProjection
    {
        private readonly ConcurrentDictionary<string, int> _current = new(StringComparer.Ordinal);

        public ConcurrentQueue<Projection> Projected { get; } = new();

        public ConcurrentQueue<string> Removed { get; } = new();

        public bool FailNext { get; set; }

        public string Name => "recording";

        public Task<bool> IsCurrentAsync(DocumentRecord document, CancellationToken cancellationToken) =>
            Task.FromResult(_current.TryGetValue(Key(document.Tenant, document.Id), out var version) && version == document.Version);

        public Task ProjectAsync(DocumentRecord document, IReadOnlyList<ChunkRecord> chunks, DocumentGraph? graph, CancellationToken cancellationToken)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new DependencyUnavailableException("The recording index is unreachable.");
            }

            Projected.Enqueue(new Projection(document, chunks, graph));
            _current[Key(document.Tenant, document.Id)] = document.Version;
            return Task.CompletedTask;
        }

        public Task RemoveAsync(string tenant, string documentId, CancellationToken cancellationToken)
        {
            Removed.Enqueue(Key(tenant, documentId));
            _current.TryRemove(Key(tenant, documentId), out _);
            return Task.CompletedTask;
        }

        private static string Key(string tenant, string id) => $"{tenant}/{id}";
    }
}
