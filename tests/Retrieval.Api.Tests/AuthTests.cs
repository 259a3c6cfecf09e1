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
            _ => "not.a.token",
        };
        using var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await client.PostAsJsonAsync("/v1/search", new { query = "zanzibarquokka marmaladeon" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("zanzibarquokka", body, StringComparison.Ordinal);
        Assert.DoesNotContain("marmaladeon", body, StringComparison.Ordinal);
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

    private static string Mint(SecurityKey key, string issuer, string audience, string? tenant)
    {
        var claims = new Dictionary<string, object> { ["sub"] = "alice", ["groups"] = new[] { "eng" }, ["roles"] = new[] { "reader" } };
        if (tenant is not null)
        {
            claims["tenant"] = tenant;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    private static string Unsigned()
    {
        static string B64(string s) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(s));
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." +
            B64($"{{\"sub\":\"alice\",\"tenant\":\"acme\",\"groups\":[\"eng\",\"hr\"],\"roles\":[\"admin\"],\"iss\":\"{DevelopmentIdentity.DefaultIssuer}\",\"aud\":\"{DevelopmentIdentity.DefaultAudience}\",\"exp\":{exp}}}") + ".";
    }
}
