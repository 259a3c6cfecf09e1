using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Retrieval.Cli.Tests.Support;
using Retrieval.Core.Security;

namespace Retrieval.Cli.Tests;

public sealed class TokenCommandTests : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    [Fact]
    public async Task Token_DevelopmentIdentity_PrintsOnlyAValidTokenWithTheClaims()
    {
        var identity = DevelopmentIdentity.LoadOrCreateDevelopment(data.Path, "retrieval-dev", "retrieval");

        var result = await CliRunner.RunAsync(
            null, "token", "--user", "alice", "--groups", "eng,ops", "--roles", "reader", "--tenant", "acme", "--lifetime", "2h", "--data", data.Path);

        Assert.Equal(0, result.ExitCode);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var token = Assert.Single(lines);
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = identity.Issuer,
            ValidAudience = identity.Audience,
            IssuerSigningKey = identity.GetSecurityKey(),
        });
        Assert.True(validation.IsValid, validation.Exception?.Message);

        var jwt = new JsonWebToken(token);
        Assert.Equal("alice", jwt.Subject);
        Assert.Equal("acme", jwt.GetClaim("tenant").Value);
        Assert.Equal(["eng", "ops"], jwt.Claims.Where(c => c.Type == "groups").Select(c => c.Value).Order());
        Assert.Equal(["reader"], jwt.Claims.Where(c => c.Type == "roles").Select(c => c.Value));
        Assert.InRange(jwt.ValidTo - jwt.ValidFrom, TimeSpan.FromHours(2) - TimeSpan.FromSeconds(5), TimeSpan.FromHours(2) + TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Token_NoRolesGiven_DefaultsToReaderAndIngestor()
    {
        DevelopmentIdentity.LoadOrCreateDevelopment(data.Path, "retrieval-dev", "retrieval");

        var result = await CliRunner.RunAsync(null, "token", "--user", "bob", "--data", data.Path);

        Assert.Equal(0, result.ExitCode);
        var jwt = new JsonWebToken(result.Output.Trim());
        Assert.Equal(["ingestor", "reader"], jwt.Claims.Where(c => c.Type == "roles").Select(c => c.Value).Order());
        Assert.Equal("default", jwt.GetClaim("tenant").Value);
    }

    [Fact]
    public async Task Token_SignedByAnotherIdentity_DoesNotValidate()
    {
        DevelopmentIdentity.LoadOrCreateDevelopment(data.Path, "retrieval-dev", "retrieval");
        using var other = new TempDirectory();
        var otherIdentity = DevelopmentIdentity.LoadOrCreateDevelopment(other.Path, "retrieval-dev", "retrieval");

        var result = await CliRunner.RunAsync(null, "token", "--user", "alice", "--data", data.Path);

        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(result.Output.Trim(), new TokenValidationParameters
        {
            ValidIssuer = "retrieval-dev",
            ValidAudience = "retrieval",
            IssuerSigningKey = otherIdentity.GetSecurityKey(),
        });
        Assert.False(validation.IsValid);
    }

    [Fact]
    public async Task Token_OidcMode_RefusesWithExitCode1()
    {
        DevelopmentIdentity.MarkOidc(data.Path, "https://login.example.com", "retrieval");

        var result = await CliRunner.RunAsync(null, "token", "--user", "alice", "--data", data.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Output);
        Assert.Contains("external identity provider; get a token from it", result.Error);
    }

    [Fact]
    public async Task Token_IdentityFileMissing_RefusesWithExitCode1()
    {
        var result = await CliRunner.RunAsync(null, "token", "--user", "alice", "--data", data.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.Output);
        Assert.Contains("start the service once to create it, or pass --data", result.Error);
        Assert.Contains(Path.Combine(data.Path, "identity.json"), result.Error);
    }

    [Theory]
    [InlineData("--lifetime", "soon")]
    [InlineData("--lifetime", "-1h")]
    public async Task Token_BadLifetime_IsAUsageError(string option, string value)
    {
        var result = await CliRunner.RunAsync(null, "token", "--user", "alice", option, value, "--data", data.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--lifetime", result.Error);
    }

    [Fact]
    public async Task Token_WithoutUser_IsAUsageError()
    {
        var result = await CliRunner.RunAsync(null, "token", "--data", data.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--user is required", result.Error);
    }
}
