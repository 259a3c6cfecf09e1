using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Retrieval.Api.Tests;

/// <summary>What the fake LLM does with the next requests.</summary>
public enum LlmBehavior
{
    /// <summary>A well-formed chat completion (or, for stream requests, SSE chunks) with the scripted answer.</summary>
    Answer,

    /// <summary>HTTP 200 with a body that is not JSON.</summary>
    Malformed,

    /// <summary>HTTP 500 with an OpenAI error body.</summary>
    ServerError,

    /// <summary>Never answers (until the client gives up).</summary>
    Hang,
}

/// <summary>
/// An in-process OpenAI-compatible server (Kestrel on a loopback port) that serves recorded chat-completions
/// exchanges: the JSON of <c>POST /v1/chat/completions</c> and its streaming variant (<c>data: {chunk}</c> lines,
/// then <c>data: [DONE]</c>), in the shape OpenAI, vLLM, Ollama and llama.cpp server return. It captures every
/// request body, so tests can assert on the prompt.
/// </summary>
public sealed partial class LlmFakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LlmFakeServer(WebApplication app) => _app = app;

    public LlmBehavior Behavior { get; set; } = LlmBehavior.Answer;

    /// <summary>When set, chooses the behavior per request from its user message (e.g. answer, then hang on the judge call).</summary>
    public Func<string, LlmBehavior>? BehaviorFor { get; set; }

    /// <summary>The answer text, given the request's user message (to cite the source that says something).</summary>
    public Func<string, string> Answer { get; set; } = _ => "I cannot answer from the sources.";

    public ConcurrentQueue<string> Requests { get; } = new();

    public string Endpoint { get; private set; } = string.Empty;

    public static async Task<LlmFakeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new LlmFakeServer(app);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Endpoint = address + "/v1";
        return server;
    }

    /// <summary>The number of the fenced source whose text contains <paramref name="needle"/> (0 if none).</summary>
    public static int SourceContaining(string userMessage, string needle)
    {
        foreach (Match match in SourceBlock().Matches(userMessage))
        {
            if (match.Groups["text"].Value.Contains(needle, StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>The messages of a captured request: (role, content).</summary>
    public static IReadOnlyList<(string Role, string Content)> Messages(string requestBody)
    {
        using var json = JsonDocument.Parse(requestBody);
        return json.RootElement.GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString()!, ContentOf(m.GetProperty("content"))))
            .ToList();
    }

    private static string ContentOf(JsonElement content) => content.ValueKind == JsonValueKind.String
        ? content.GetString()!
        : string.Concat(content.EnumerateArray().Select(p => p.GetProperty("text").GetString()));

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        Requests.Enqueue(body);
        var behavior = BehaviorFor is { } choose ? choose(Messages(body).Last(m => m.Role == "user").Content) : Behavior;
        switch (behavior)
        {
            case LlmBehavior.Hang:
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
                return;
            case LlmBehavior.ServerError:
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("""{"error":{"message":"upstream overloaded","type":"server_error"}}""");
                return;
            case LlmBehavior.Malformed:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"The first vac""");
                return;
        }

        var user = Messages(body).Last(m => m.Role == "user").Content;
        var answer = Answer(user);
        using var request = JsonDocument.Parse(body);
        if (request.RootElement.TryGetProperty("stream", out var stream) && stream.GetBoolean())
        {
            context.Response.ContentType = "text/event-stream";
            foreach (var piece in Pieces(answer))
            {
                await context.Response.WriteAsync("data: " + Chunk(piece, null) + "\n\n");
                await context.Response.Body.FlushAsync();
            }

            await context.Response.WriteAsync("data: " + Chunk(null, "stop") + "\n\ndata: [DONE]\n\n");
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            id = "chatcmpl-recorded",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = "recorded-model",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = answer }, finish_reason = "stop" } },
            usage = new { prompt_tokens = 100, completion_tokens = 20, total_tokens = 120 },
        }));
    }

    private static string Chunk(string? content, string? finish) => JsonSerializer.Serialize(new
    {
        id = "chatcmpl-recorded",
        @object = "chat.completion.chunk",
        created = 1_700_000_000,
        model = "recorded-model",
        choices = new[] { new { index = 0, delta = content is null ? (object)new { } : new { role = "assistant", content }, finish_reason = finish } },
    });

    /// <summary>Splits an answer into word-sized pieces, as a model streams tokens.</summary>
    private static IEnumerable<string> Pieces(string answer)
    {
        var builder = new StringBuilder();
        foreach (var c in answer)
        {
            builder.Append(c);
            if (c == ' ')
            {
                yield return builder.ToString();
                builder.Clear();
            }
        }

        if (builder.Length > 0)
        {
            yield return builder.ToString();
        }
    }

    [GeneratedRegex(@"<<<SOURCE (?<n>\d+)>>>(?<text>.*?)<<<END SOURCE \k<n>>>>", RegexOptions.Singleline)]
    private static partial Regex SourceBlock();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
