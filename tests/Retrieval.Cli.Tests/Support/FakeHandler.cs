using System.Net;
using System.Text;

namespace Retrieval.Cli.Tests.Support;

/// <summary>A recorded request: what the CLI sent, with the body read while the request was alive.</summary>
public sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Authorization, string? ContentType, string Body);

/// <summary>
/// Answers each request through a routing function and records it. Disposing it (the CLI disposes its client)
/// leaves it usable, so tests can inspect the requests afterwards.
/// </summary>
public sealed class FakeHandler : HttpMessageHandler
{
    private readonly Func<RecordedRequest, int, HttpResponseMessage> respond;

    public FakeHandler(Func<RecordedRequest, int, HttpResponseMessage> respond)
    {
        this.respond = respond;
    }

    public List<RecordedRequest> Requests { get; } = [];

    /// <summary>Answers requests in order with the given responses; the last one repeats.</summary>
    public static FakeHandler Sequence(params Func<HttpResponseMessage>[] responses) =>
        new((_, index) => responses[Math.Min(index, responses.Length - 1)]());

    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Problem(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/problem+json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new RecordedRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.Authorization?.ToString(),
            request.Content?.Headers.ContentType?.ToString(),
            body);
        Requests.Add(recorded);
        var response = respond(recorded, Requests.Count - 1);
        response.RequestMessage = request;
        return response;
    }
}
