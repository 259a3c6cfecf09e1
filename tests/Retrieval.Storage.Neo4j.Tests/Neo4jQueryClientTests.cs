using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Retrieval.Core;

namespace Retrieval.Storage.Neo4j.Tests;

/// <summary>The Query API client behind the real resilience pipeline, against an in-process fake server.</summary>
public sealed class Neo4jQueryClientTests
{
    private static readonly CypherQuery Query = new("RETURN $x AS x, [1, 2] AS list", new Dictionary<string, object?> { ["x"] = "value", ["n"] = 3 });

    [Fact]
    public async Task RunAsync_Accepted_ParsesFieldsAndRowsAndSendsTheQueryApiRequest()
    {
        var handler = new FakeNeo4jHandler(_ => FakeNeo4jHandler.Rows(["x", "list"], ["value", new[] { 1, 2 }], [null, Array.Empty<int>()]));
        using var services = FakeNeo4j.Services(handler);

        var result = await services.GetRequiredService<Neo4jQueryClient>().RunAsync(Query, CancellationToken.None);

        Assert.Equal(["x", "list"], result.Fields);
        Assert.Equal(2, result.Rows.Count);
        Assert.Equal("value", result.Rows[0][result.Field("x")].GetString());
        Assert.Equal(2, result.Rows[0][result.Field("list")].GetArrayLength());
        var request = Assert.Single(handler.Requests);
        Assert.Equal("http://neo4j.test:7474/db/neo4j/query/v2", request.Uri.ToString());
        Assert.Equal("Basic " + Convert.ToBase64String("neo4j:secret"u8.ToArray()), request.Authorization);
        Assert.Contains("application/json", request.Accept, StringComparison.Ordinal);
        Assert.Equal(Query.Statement, request.Statement);
        Assert.Equal("value", request.Parameters["x"]!.GetValue<string>());
        Assert.Equal(3, request.Parameters["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task RunAsync_CypherError_ThrowsQueryExceptionWithoutRetryOrServerMessage()
    {
        var handler = new FakeNeo4jHandler(_ => FakeNeo4jHandler.Error(HttpStatusCode.BadRequest, "Neo.ClientError.Statement.SyntaxError", "Invalid input near 'Zanzibar Quokka'"));
        using var services = FakeNeo4j.Services(handler);

        var error = await Assert.ThrowsAsync<Neo4jQueryException>(() => services.GetRequiredService<Neo4jQueryClient>().RunAsync(Query, CancellationToken.None));

        Assert.Single(handler.Requests);
        Assert.Equal("Neo.ClientError.Statement.SyntaxError", error.Code);
        Assert.DoesNotContain("Zanzibar", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TransientErrorCode_IsRetriedAndSucceeds()
    {
        var calls = 0;
        var handler = new FakeNeo4jHandler(_ => Interlocked.Increment(ref calls) == 1
            ? FakeNeo4jHandler.Error(HttpStatusCode.BadRequest, "Neo.TransientError.Transaction.DeadlockDetected", "deadlock")
            : FakeNeo4jHandler.Rows(["x"], ["ok"]));
        using var services = FakeNeo4j.Services(handler);

        var result = await services.GetRequiredService<Neo4jQueryClient>().RunAsync(Query, CancellationToken.None);

        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal("ok", result.Rows[0][0].GetString());
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task RunAsync_TransientStatus_IsRetriedThenReportedAsUnavailable(HttpStatusCode status)
    {
        var handler = new FakeNeo4jHandler(_ => new HttpResponseMessage(status));
        using var services = FakeNeo4j.Services(handler);

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => services.GetRequiredService<Neo4jQueryClient>().RunAsync(Query, CancellationToken.None));

        Assert.Equal(3, handler.Requests.Count); // the first attempt and MaxRetries = 2
        Assert.Contains("Retrieval:Storage:Neo4j:Endpoint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ConnectionRefused_IsRetriedThenNamesTheEndpointSetting()
    {
        var handler = new FakeNeo4jHandler((_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException("Connection refused (neo4j.test:7474)")));
        using var services = FakeNeo4j.Services(handler);

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => services.GetRequiredService<Neo4jQueryClient>().RunAsync(Query, CancellationToken.None));

        Assert.Equal(3, handler.Requests.Count);
        Assert.Contains("Retrieval:Storage:Neo4j:Endpoint", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("neo4j.test", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_AttemptTimeout_IsRetriedThenNamesTheTimeoutSetting()
    {
        var handler = new FakeNeo4jHandler(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var services = FakeNeo4j.Services(handler, settings: new() { ["Retrieval:Storage:Neo4j:AttemptTimeout"] = "00:00:00.100", ["Retrieval:Storage:Neo4j:MaxRetries"] = "1" });

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => services.GetRequiredService<Neo4jQueryClient>().RunAsync(Query, CancellationToken.None));

        Assert.Equal(2, handler.Requests.Count);
        Assert.Contains("Retrieval:Storage:Neo4j:AttemptTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_BadCredentials_NamesTheCredentialSettingsWithoutRetry()
    {
        var handler = new FakeNeo4jHandler(_ => FakeNeo4jHandler.Error(HttpStatusCode.Unauthorized, "Neo.ClientError.Security.Unauthorized", "The client is unauthorized due to authentication failure."));
        using var services = FakeNeo4j.Services(handler);

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => services.GetRequiredService<Neo4jQueryClient>().RunAsync(Query, CancellationToken.None));

        Assert.Single(handler.Requests);
        Assert.Contains("Retrieval:Storage:Neo4j:User", error.Message, StringComparison.Ordinal);
        Assert.Contains("Retrieval:Storage:Neo4j:Password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnknownDatabase_NamesTheDatabaseSetting()
    {
        var handler = new FakeNeo4jHandler(_ => FakeNeo4jHandler.Error(HttpStatusCode.NotFound, "Neo.ClientError.Database.DatabaseNotFound", "Graph not found: nope"));
        using var services = FakeNeo4j.Services(handler, settings: new() { ["Retrieval:Storage:Neo4j:Database"] = "nope" });

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => services.GetRequiredService<Neo4jQueryClient>().RunAsync(Query, CancellationToken.None));

        Assert.Single(handler.Requests);
        Assert.EndsWith("/db/nope/query/v2", handler.Requests[0].Uri.ToString(), StringComparison.Ordinal);
        Assert.Contains("Retrieval:Storage:Neo4j:Database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NotAQueryApiAnswer_ReportsUnavailable()
    {
        var handler = new FakeNeo4jHandler(_ => FakeNeo4jHandler.Json(HttpStatusCode.OK, new { neo4j_version = "4.4.0" }));
        using var services = FakeNeo4j.Services(handler);

        var error = await Assert.ThrowsAsync<DependencyUnavailableException>(() => services.GetRequiredService<Neo4jQueryClient>().RunAsync(Query, CancellationToken.None));

        Assert.Contains("5.19", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WriteAnswerWithoutData_IsAnEmptyResult()
    {
        var handler = new FakeNeo4jHandler(_ => FakeNeo4jHandler.Json(HttpStatusCode.Accepted, new { bookmarks = new[] { "FB:x" } }));
        using var services = FakeNeo4j.Services(handler);

        var result = await services.GetRequiredService<Neo4jQueryClient>().RunAsync(Query, CancellationToken.None);

        Assert.Empty(result.Fields);
        Assert.Empty(result.Rows);
    }

    [Fact]
    public async Task RunAsync_WithoutUser_SendsNoAuthorization()
    {
        var handler = new FakeNeo4jHandler(_ => FakeNeo4jHandler.Rows(["x"]));
        using var services = FakeNeo4j.Services(handler, settings: new() { ["Retrieval:Storage:Neo4j:User"] = "", ["Retrieval:Storage:Neo4j:Password"] = "" });

        var result = await services.GetRequiredService<Neo4jQueryClient>().RunAsync(Query, CancellationToken.None);

        Assert.Empty(result.Rows);
        Assert.Null(Assert.Single(handler.Requests).Authorization);
    }

    [Theory]
    [InlineData("Neo.TransientError.Transaction.DeadlockDetected", true)]
    [InlineData("Neo.TransientError.General.MemoryPoolOutOfMemoryError", true)]
    [InlineData("Neo.ClientError.Schema.ConstraintValidationFailed", false)]
    [InlineData("Neo.DatabaseError.General.UnknownError", false)]
    public void HasTransientError_ByCode_OnlyTransientErrors(string code, bool transient)
    {
        var body = $$"""{"errors":[{"code":"{{code}}","message":"m"}]}""";

        Assert.Equal(transient, Neo4jQueryClient.HasTransientError(body));
    }
}
