using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Retrieval.Core.Security;

namespace Retrieval.Core.Tests.Security;

public sealed class DevelopmentIdentityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("retrieval-identity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LoadOrCreate_SecondCall_ReturnsSameKey()
    {
        var first = DevelopmentIdentity.LoadOrCreateDevelopment(_dir, "iss", "aud");
        var second = DevelopmentIdentity.LoadOrCreateDevelopment(_dir, "iss", "aud");

        Assert.Equal(first.SigningKey, second.SigningKey);
        Assert.Equal(32, Convert.FromBase64String(first.SigningKey!).Length);
    }

    [Fact]
    public async Task MintToken_ValidatesWithKey_AndCarriesClaims()
    {
        var identity = DevelopmentIdentity.LoadOrCreateDevelopment(_dir, "iss", "aud");
        var token = identity.MintToken(new TokenRequest("alice", "acme", ["eng", "ops"], ["reader"], TimeSpan.FromHours(1)));

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "iss",
            ValidAudience = "aud",
            IssuerSigningKey = identity.GetSecurityKey(),
        });

        Assert.True(result.IsValid);
        Assert.Equal("alice", result.Claims["sub"]);
        Assert.Equal("acme", result.Claims["tenant"]);
    }

    [Fact]
    public void MarkOidc_RemovesKey_AndMintingIsRefused()
    {
        DevelopmentIdentity.LoadOrCreateDevelopment(_dir, "iss", "aud");
        DevelopmentIdentity.MarkOidc(_dir, "https://idp", "aud");

        var identity = DevelopmentIdentity.TryLoad(_dir)!;

        Assert.False(identity.IsDevelopment);
        Assert.Null(identity.SigningKey);
        Assert.Throws<InvalidOperationException>(() => identity.MintToken(new TokenRequest("a", "t", [], [], TimeSpan.FromMinutes(1))));
    }
}
