using System.Net;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

/// <summary>
/// Documents with distinctive canary words, one per ACL kind, plus one in another tenant. Every test asserts
/// that a caller only ever sees the canaries it may read, whatever it asks and however.
/// </summary>
public sealed class AclCorpus : IAsyncLifetime
{
    public static readonly (string Id, string Canary, string Acl, string Tenant)[] Documents =
    [
        ("eng-runbook", "zanzibarquokka", "group:eng", "acme"),
        ("hr-salaries", "xylophantine", "group:hr", "acme"),
        ("bob-notes", "plumbicorn", "user:bob", "acme"),
        ("cafeteria", "marmaladeon", "public", "acme"),
        ("globex-merger", "vortimaxel", "public", "globex"),
    ];

    /// <summary>Callers and the canaries each may read.</summary>
    public static readonly (string User, string[] Groups, string Tenant, string[] Readable)[] Callers =
    [
        ("alice", ["eng"], "acme", ["zanzibarquokka", "marmaladeon"]),
        ("hank", ["hr"], "acme", ["xylophantine", "marmaladeon"]),
        ("bob", [], "acme", ["plumbicorn", "marmaladeon"]),
        ("eve", ["eng-contractors", "bob"], "acme", ["marmaladeon"]),
        ("mallory", ["eng", "hr"], "globex", ["vortimaxel"]),
    ];

    public RetrievalApiFactory Factory { get; } = new();

    public static IEnumerable<string> AllCanaries => Documents.Select(d => d.Canary);

    public async Task InitializeAsync()
    {
        foreach (var (id, canary, acl, tenant) in Documents)
        {
            using var admin = Factory.ClientFor("loader-" + tenant, roles: [RetrievalRoles.Admin], tenant: tenant);
            var text = $"""
                # Notes about {canary}

                The {canary} procedure is described here. Only the right people should ever learn about {canary}.
                It covers the weekly review of the {canary} budget and the people who approve changes to it.
                """;
            await admin.PostJsonAsync("/v1/documents", new { id, title = $"About {canary}", text, contentType = "text/markdown", acl = new[] { acl } }, HttpStatusCode.Created);
        }
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class AclCollection : ICollectionFixture<AclCorpus>
{
    public const string Name = "acl corpus";
}
