using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Retrieval.Core.Security;

namespace Retrieval.Api.Tests;

[Collection(AclCollection.Name)]
public sealed class AuthTests
{
    private readonly AclCorpus _corpus;

    public AuthTests(AclCorpus corpus) => _corpus = corpus;

    private RetrievalApiFactory Factory => _corpus.Factory;

    [Fact]
    public async Task Search_NoToken_Is401()
    {
        using var client = Factory.CreateClient();
        using var response = await client.PostAsJsonAsync("/v1/search", new { query = "marmaladeon" });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    public static TheoryData<string> BadTokens() => new()
    {
        "expired",
        "not-yet-valid",
        "wrong-signature",
        "alg-none",
        "wrong-audience",
        "wrong-issuer",
        "garbage",
        "no-tenant",
        "no-subject",
        "empty-subject",
        "subject-too-long",
        "tenant-too-long",
        "too-many-groups",
        "hs512-with-the-right-key",
        "hs256-header-on-hs512-signature",
        "oversized-garbage-64k",
        "oversized-signed-300k",
        "signature-stripped",
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Search_BadToken_Is401AndLeaksNothing(string kind)
    {
        var token = kind switch
        {
            "expired" => Factory.TokenFor("alice", ["eng"], now: DateTimeOffset.UtcNow.AddHours(-3), lifetime: TimeSpan.FromHours(1)),
            "not-yet-valid" => Factory.TokenFor("alice", ["eng"], now: DateTimeOffset.UtcNow.AddHours(2)),
            "wrong-signature" => Mint(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)), DevelopmentIdentity.DefaultIssuer, DevelopmentIdentity.DefaultAudience, tenant: "acme"),
            "alg-none" => Unsigned(),
            "wrong-audience" => Mint(DevKey(), DevelopmentIdentity.DefaultIssuer, "someone-else", tenant: "acme"),
            "wrong-issuer" => Mint(DevKey(), "https://evil.example", DevelopmentIdentity.DefaultAudience, tenant: "acme"),
            "no-tenant" => Mint(DevKey(), DevelopmentIdentity.DefaultIssuer, DevelopmentIdentity.DefaultAudience, tenant: null),
            "no-subject" => Mint(DevKey(), claims: c => c.Remove("sub")),
            "empty-subject" => Mint(DevKey(), claims: c => c["sub"] = " "),
            "subject-too-long" => Mint(DevKey(), claims: c => c["sub"] = new string('a', 257)),
            "tenant-too-long" => Mint(DevKey(), claims: c => c["tenant"] = new string('t', 257)),
            "too-many-groups" => Mint(DevKey(), claims: c => c["groups"] = Enumerable.Range(0, 1001).Select(i => "g" + i).ToArray()),
            "hs512-with-the-right-key" => HmacSha512(Mint(DevKey()), "HS512"),
            "hs256-header-on-hs512-signature" => HmacSha512(Mint(DevKey()), "HS256"),
            "oversized-garbage-64k" => string.Join('.', Enumerable.Range(0, 3).Select(_ => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16 * 1024)))),
            "oversized-signed-300k" => Mint(DevKey(), claims: c => c["padding"] = new string('p', 300 * 1024)),
            "signature-stripped" => string.Join('.', Mint(DevKey()).Split('.').Take(2)) + ".",
            _ => "not.a.token",
        };
        using var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await client.PostAsJsonAsync("/v1/search", new { query = "zanzibarquokka marmaladeon" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("zanzibarquokka", body, StringComparison.Ordinal);
        Assert.DoesNotContain("marmaladeon", body, StringComparison.Ordinal);
        Assert.DoesNotContain(token[..Math.Min(token.Length, 24)], body, StringComparison.Ordinal);
        // No reason either: "Bearer" alone, without error or error_description.
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).ToString());
    }

    [Fact]
    public async Task Everything_TokenOfAnotherTenantsAdmin_SeesNothingOfThisTenant()
    {
        // Mallory is an admin of globex, in the same groups and with the same user id as acme's readers.
        using var mallory = Factory.ClientFor("bob", ["eng", "hr"], [RetrievalRoles.Admin], "globex");
        var acmeCanaries = AclCorpus.Documents.Where(d => d.Tenant == "acme").Select(d => d.Canary).ToList();
        var seen = new List<string>();
        foreach (var mode in new[] { "dense", "lexical", "graph", "dense+lexical", "hybrid" })
        {
            foreach (var canary in acmeCanaries)
            {
                var body = await mallory.PostJsonAsync("/v1/search", new { query = canary, topK = 50, mode });
                seen.Add(body.GetRawText());
                Assert.All(body.GetProperty("results").EnumerateArray(), r => Assert.Equal("globex-merger", r.GetProperty("documentId").GetString()));
            }
        }

        foreach (var canary in acmeCanaries)
        {
            using var ask = await mallory.PostAsJsonAsync("/v1/ask", new { question = $"What is the {canary} procedure?", topK = 3 });
            seen.Add((await ask.Content.ReadAsStringAsync()).Replace($"What is the {canary} procedure?", string.Empty, StringComparison.Ordinal));
            using var entities = await mallory.GetAsync(new Uri($"/v1/graph/entities?query={canary}", UriKind.Relative));
            seen.Add(await entities.Content.ReadAsStringAsync());
        }

        foreach (var (id, _, _, tenant) in AclCorpus.Documents.Where(d => d.Tenant == "acme"))
        {
            using var document = await mallory.GetAsync(new Uri($"/v1/documents/{id}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, document.StatusCode);
            seen.Add(await document.Content.ReadAsStringAsync());
        }

        using var jobs = await mallory.GetAsync(new Uri("/v1/ingest/jobs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode);
        var jobsText = await jobs.Content.ReadAsStringAsync();
        Assert.DoesNotContain("acme", jobsText, StringComparison.Ordinal);
        seen.Add(jobsText);

        foreach (var canary in acmeCanaries)
        {
            Assert.All(seen, text => Assert.DoesNotContain(canary, text, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task Search_SignedTokenOf64KB_OnKestrel_IsRefusedByTheHeaderLimitNotA500()
    {
        // TestServer has no header limit, so this runs the real Kestrel server (its 32 KB request-header limit applies).
        using var factory = new RetrievalApiFactory();
        factory.UseKestrel(0);
        factory.StartServer();
        var key = DevelopmentIdentity.TryLoad(factory.DataDirectory)!.GetSecurityKey();
        var token = Mint(key, claims: c => c["padding"] = new string('p', 64 * 1024));
        Assert.InRange(token.Length, 64 * 1024, 128 * 1024);
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await client.PostAsJsonAsync("/v1/search", new { query = "anything" });

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.DoesNotContain("ppppppppppppppppppppppppppppppppppppppppppppppppppppp", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_IngestorWithoutReaderRole_Is403()
    {
        using var client = Factory.ClientFor("alice", ["eng"], [RetrievalRoles.Ingestor]);
        using var response = await client.PostAsJsonAsync("/v1/search", new { query = "marmaladeon" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Ingest_ReaderWithoutIngestorRole_Is403AndStoresNothing()
    {
        using var reader = Factory.ClientFor("alice", ["eng"], [RetrievalRoles.Reader]);
        using var response = await reader.PostAsJsonAsync("/v1/documents", new { id = "sneaky", text = "The sneakyfoxtrot memo.", acl = new[] { "public" } });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        using var jobs = await reader.GetAsync(new Uri("/v1/ingest/jobs", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, jobs.StatusCode);
        using var delete = await reader.DeleteAsync(new Uri("/v1/documents/cafeteria", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);

        var body = await reader.PostJsonAsync("/v1/search", new { query = "sneakyfoxtrot", mode = "lexical" });
        Assert.Equal(0, body.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task Health_And_OpenApi_AreAnonymous()
    {
        using var client = Factory.CreateClient();
        using var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var openapi = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"executionProvider\":\"CPU\"", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, openapi.StatusCode);
        Assert.Contains("/v1/search", await openapi.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private SymmetricSecurityKey DevKey() => DevelopmentIdentity.TryLoad(Factory.DataDirectory)!.GetSecurityKey();

    private static string Mint(SecurityKey key, string issuer, string audience, string? tenant) =>
        Mint(key, issuer, audience, claims: c =>
        {
            if (tenant is null)
            {
                c.Remove("tenant");
            }
            else
            {
                c["tenant"] = tenant;
            }
        });

    /// <summary>A token for alice@acme (reader, group eng), changed by <paramref name="claims"/>.</summary>
    private static string Mint(
        SecurityKey key, string issuer = DevelopmentIdentity.DefaultIssuer, string audience = DevelopmentIdentity.DefaultAudience,
        Action<Dictionary<string, object>>? claims = null)
    {
        var values = new Dictionary<string, object> { ["sub"] = "alice", ["tenant"] = "acme", ["groups"] = new[] { "eng" }, ["roles"] = new[] { "reader" } };
        claims?.Invoke(values);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = values,
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>A valid token's payload re-signed with HMAC-SHA512 under the right key, its header naming <paramref name="alg"/>.</summary>
    private string HmacSha512(string token, string alg)
    {
        var header = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes($"{{\"alg\":\"{alg}\",\"typ\":\"JWT\"}}"));
        var signed = header + "." + token.Split('.')[1];
        return signed + "." + Base64UrlEncoder.Encode(HMACSHA512.HashData(DevKey().Key, Encoding.ASCII.GetBytes(signed)));
    }

    private static string Unsigned()
    {
        static string B64(string s) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(s));
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." +
            B64($"{{\"sub\":\"alice\",\"tenant\":\"acme\",\"groups\":[\"eng\",\"hr\"],\"roles\":[\"admin\"],\"iss\":\"{DevelopmentIdentity.DefaultIssuer}\",\"aud\":\"{DevelopmentIdentity.DefaultAudience}\",\"exp\":{exp}}}") + ".";
    }
}
