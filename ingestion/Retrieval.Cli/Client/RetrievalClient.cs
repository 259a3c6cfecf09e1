using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Retrieval.Cli.Ingest;

namespace Retrieval.Cli.Client;

/// <summary>
/// Typed client of the Retrieval REST API. Every failure leaves as a <see cref="RetrievalServiceException"/>
/// (the service answered with an error) or a <see cref="ServiceUnreachableException"/> (no answer), each
/// with a message written for the operator.
/// </summary>
public sealed partial class RetrievalClient : IDisposable
{
    public const string ReaderRole = "reader";
    public const string IngestorRole = "ingestor";

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Ordinary requests; uploads are bounded only by Ctrl+C because large folders take long.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(100);

    private readonly HttpClient http;
    private readonly bool sentToken;

    public RetrievalClient(HttpMessageHandler handler, Uri baseAddress, string? token)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        var root = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        http = new HttpClient(handler, disposeHandler: true) { BaseAddress = root, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("retrieval-cli", "1.0"));
        if (!string.IsNullOrWhiteSpace(token))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Trim());
            sentToken = true;
        }
    }

    public Uri BaseAddress => http.BaseAddress!;

    /// <summary>Uploads local files as multipart/form-data; each file is read only while it is being sent.</summary>
    public Task<ApiResult<JobAccepted>> UploadAsync(
        IReadOnlyList<IngestFile> files, IReadOnlyList<string> acl, CancellationToken cancellationToken) =>
        SendAsync<JobAccepted>(HttpMethod.Post, "v1/ingest/jobs", UploadForm(files, acl), IngestorRole, timeout: null, cancellationToken);

    /// <summary>The same upload as a dry run: the service returns the job's estimate and queues nothing.</summary>
    public Task<ApiResult<JobEstimate>> EstimateUploadAsync(
        IReadOnlyList<IngestFile> files, IReadOnlyList<string> acl, CancellationToken cancellationToken) =>
        SendAsync<JobEstimate>(HttpMethod.Post, "v1/ingest/jobs?dryRun=true", UploadForm(files, acl), IngestorRole, timeout: null, cancellationToken);

    /// <summary>Asks the service to read paths on its own file system (under its allowed roots).</summary>
    public Task<ApiResult<JobAccepted>> SubmitServerPathsAsync(
        IReadOnlyList<string> paths, IReadOnlyList<string> acl, CancellationToken cancellationToken) =>
        SendAsync<JobAccepted>(
            HttpMethod.Post, "v1/ingest/jobs", JsonBody(new ServerPathsIngestRequest(paths, acl)), IngestorRole, RequestTimeout, cancellationToken);

    /// <summary>Server paths as a dry run: the estimate only.</summary>
    public Task<ApiResult<JobEstimate>> EstimateServerPathsAsync(
        IReadOnlyList<string> paths, IReadOnlyList<string> acl, CancellationToken cancellationToken) =>
        SendAsync<JobEstimate>(
            HttpMethod.Post, "v1/ingest/jobs?dryRun=true", JsonBody(new ServerPathsIngestRequest(paths, acl)), IngestorRole, RequestTimeout, cancellationToken);

    private static MultipartFormDataContent UploadForm(IReadOnlyList<IngestFile> files, IReadOnlyList<string> acl)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(acl);
        var form = new MultipartFormDataContent();
        foreach (var principal in acl)
        {
            form.Add(new StringContent(principal), "acl");
        }

        foreach (var file in files)
        {
            form.Add(new FileUploadContent(file), "files", file.Name);
        }

        return form;
    }

    public Task<ApiResult<IngestJob>> GetJobAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<IngestJob>(HttpMethod.Get, $"v1/ingest/jobs/{Segment(id)}", null, IngestorRole, RequestTimeout, cancellationToken);

    public Task<ApiResult<JobList>> ListJobsAsync(CancellationToken cancellationToken) =>
        SendAsync<JobList>(HttpMethod.Get, "v1/ingest/jobs", null, IngestorRole, RequestTimeout, cancellationToken);

    public Task<ApiResult<IngestJob>> CancelJobAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<IngestJob>(HttpMethod.Post, $"v1/ingest/jobs/{Segment(id)}/cancel", null, IngestorRole, RequestTimeout, cancellationToken);

    public Task<ApiResult<SearchResponse>> SearchAsync(SearchRequest request, CancellationToken cancellationToken) =>
        SendAsync<SearchResponse>(HttpMethod.Post, "v1/search", JsonBody(request), ReaderRole, RequestTimeout, cancellationToken);

    public Task<ApiResult<AskResponse>> AskAsync(AskRequest request, CancellationToken cancellationToken) =>
        SendAsync<AskResponse>(HttpMethod.Post, "v1/ask", JsonBody(request), ReaderRole, RequestTimeout, cancellationToken);

    public Task<ApiResult<DocumentInfo>> GetDocumentAsync(string id, CancellationToken cancellationToken) =>
        SendAsync<DocumentInfo>(HttpMethod.Get, $"v1/documents/{DocumentPath(id)}", null, ReaderRole, RequestTimeout, cancellationToken);

    public async Task DeleteDocumentAsync(string id, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"v1/documents/{DocumentPath(id)}");
        await SendForTextAsync(request, IngestorRole, RequestTimeout, cancellationToken);
    }

    /// <summary>Readiness; a 503 still carries the report, so it is returned rather than thrown.</summary>
    public async Task<(bool Ready, ApiResult<HealthReport> Report)> GetReadinessAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "health/ready");
        using var response = await TransmitAsync(request, RequestTimeout, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.ServiceUnavailable && !response.IsSuccessStatusCode)
        {
            throw ToServiceException(request, response, body, role: null);
        }

        var report = TryDeserialize<HealthReport>(body) ?? new HealthReport(response.IsSuccessStatusCode ? "Healthy" : "Unhealthy");
        return (response.IsSuccessStatusCode, new ApiResult<HealthReport>(report, body));
    }

    public void Dispose() => http.Dispose();

    private async Task<ApiResult<T>> SendAsync<T>(
        HttpMethod method, string path, HttpContent? content, string? role, TimeSpan? timeout, CancellationToken cancellationToken)
        where T : class
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        var body = await SendForTextAsync(request, role, timeout, cancellationToken);
        var value = TryDeserialize<T>(body)
            ?? throw new RetrievalServiceException(
                $"The service at {BaseAddress} sent a response to {method} /{path} that this CLI cannot read. Is --url pointing at the Retrieval service?");
        return new ApiResult<T>(value, body);
    }

    private async Task<string> SendForTextAsync(
        HttpRequestMessage request, string? role, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        using var response = await TransmitAsync(request, timeout, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw ToServiceException(request, response, body, role);
        }

        return body;
    }

    private async Task<HttpResponseMessage> TransmitAsync(
        HttpRequestMessage request, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } limit)
        {
            deadline.CancelAfter(limit);
        }

        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError
                                                or HttpRequestError.NameResolutionError
                                                or HttpRequestError.SecureConnectionError
                                                or HttpRequestError.ProxyTunnelError)
        {
            throw new ServiceUnreachableException(
                $"Cannot reach the Retrieval service at URL: {BaseAddress} ({ex.Message}). Is it running? "
                + "Start it with `dotnet run --project src/Retrieval.Api`, or point --url / RETRIEVAL_URL at it.",
                ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ServiceUnreachableException(
                $"The connection to the Retrieval service at {BaseAddress} failed during {Describe(request)}: {ex.Message}",
                ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServiceUnreachableException(
                $"The Retrieval service at {BaseAddress} did not answer {Describe(request)} within {timeout?.TotalSeconds:0} s.",
                ex);
        }
    }

    private RetrievalServiceException ToServiceException(
        HttpRequestMessage request, HttpResponseMessage response, string body, string? role)
    {
        var problem = TryDeserialize<ProblemDetailsBody>(body);
        if (problem is { Title: null, Detail: null, Errors: null })
        {
            problem = null;
        }

        var code = (int)response.StatusCode;
        var what = Describe(request);
        var explanation = Explain(problem);
        var message = new StringBuilder();
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized:
                message.Append("The service rejected the token (401): ")
                    .Append(explanation ?? BearerErrorDescription(response) ?? "no reason given")
                    .Append(". ")
                    .Append(sentToken
                        ? "Mint a fresh one with `retrieval token` (or use --as <user>), or check it was issued for this service."
                        : "No token was sent: pass --token, set RETRIEVAL_TOKEN, or use --as <user>.");
                break;

            case HttpStatusCode.Forbidden:
                message.Append(role is null
                        ? $"The token lacks the role needed for {what} (403)"
                        : $"The token lacks the role '{role}' needed for {what} (403)")
                    .Append(explanation is null ? "." : $": {explanation}.");
                if (role is not null)
                {
                    message.Append($" Use a token with --roles {role}.");
                }

                break;

            default:
                if (problem is not null)
                {
                    message.Append(problem.Title ?? response.ReasonPhrase ?? "Request failed")
                        .Append($" ({code})");
                    if (problem.Detail is { Length: > 0 } detail && detail != problem.Title)
                    {
                        message.Append(": ").Append(detail);
                    }
                }
                else
                {
                    message.Append($"The service answered {code} {response.ReasonPhrase} to {what}");
                    var text = body.Trim();
                    if (text.Length > 0 && !text.StartsWith('<'))
                    {
                        message.Append(": ").Append(text.Length > 300 ? string.Concat(text.AsSpan(0, 300), "…") : text);
                    }
                }

                break;
        }

        if (problem?.Errors is { Count: > 0 } errors)
        {
            foreach (var (field, messages) in errors.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                foreach (var fieldMessage in messages)
                {
                    message.Append('\n').Append("  ").Append(field).Append(": ").Append(fieldMessage);
                }
            }
        }

        return new RetrievalServiceException(message.ToString(), response.StatusCode, problem);
    }

    /// <summary>"POST /v1/search" (HttpClient makes the request URI absolute once sent).</summary>
    private string Describe(HttpRequestMessage request)
    {
        var uri = request.RequestUri is { IsAbsoluteUri: true } absolute ? absolute : new Uri(BaseAddress, request.RequestUri!);
        return $"{request.Method} {uri.PathAndQuery}";
    }

    private static string? Explain(ProblemDetailsBody? problem)
    {
        if (problem is null)
        {
            return null;
        }

        if (problem.Detail is { Length: > 0 } detail)
        {
            return problem.Title is { Length: > 0 } title && title != detail ? $"{title}: {detail}".TrimEnd('.') : detail.TrimEnd('.');
        }

        return problem.Title?.TrimEnd('.');
    }

    private static string? BearerErrorDescription(HttpResponseMessage response)
    {
        foreach (var challenge in response.Headers.WwwAuthenticate)
        {
            if (challenge.Parameter is { } parameter && ErrorDescription().Match(parameter) is { Success: true } match)
            {
                return match.Groups[1].Value.TrimEnd('.');
            }
        }

        return null;
    }

    private static T? TryDeserialize<T>(string body)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body, JsonOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonContent JsonBody<T>(T value) => JsonContent.Create(value, options: JsonOptions);

    private static string Segment(string value) => Uri.EscapeDataString(value);

    /// <summary>Document ids are often relative paths ("guide/intro.md"): keep the slashes, escape the rest.</summary>
    private static string DocumentPath(string id) => string.Join('/', id.Split('/').Select(Uri.EscapeDataString));

    [GeneratedRegex("error_description=\"([^\"]*)\"")]
    private static partial Regex ErrorDescription();
}
