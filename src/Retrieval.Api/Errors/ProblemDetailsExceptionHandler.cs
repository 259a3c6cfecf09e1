using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Retrieval.Core;

namespace Retrieval.Api.Errors;

/// <summary>
/// Maps known exceptions to ProblemDetails with the right status. The message of an unknown error is never
/// echoed: it may contain document text or internals. Validation messages are ours and safe to show.
/// </summary>
internal sealed partial class ProblemDetailsExceptionHandler : IExceptionHandler
{
    private readonly IProblemDetailsService _problems;
    private readonly ILogger<ProblemDetailsExceptionHandler> _logger;

    public ProblemDetailsExceptionHandler(IProblemDetailsService problems, ILogger<ProblemDetailsExceptionHandler> logger)
    {
        _problems = problems;
        _logger = logger;
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            PayloadTooLargeException e => (StatusCodes.Status413PayloadTooLarge, "Payload too large", e.Message),
            ValidationException e => (StatusCodes.Status400BadRequest, "Invalid request", e.Message),
            NotFoundException e => (StatusCodes.Status404NotFound, "Not found", e.Message),
            ConflictException e => (StatusCodes.Status409Conflict, "Conflict", e.Message),
            ForbiddenException e => (StatusCodes.Status403Forbidden, "Forbidden", e.Message),
            DependencyUnavailableException e => (StatusCodes.Status503ServiceUnavailable, "Service unavailable", e.Message),
            TooManyRequestsException e => (StatusCodes.Status429TooManyRequests, "Too many requests", e.Message),
            UnauthorizedAccessException => (StatusCodes.Status401Unauthorized, "Unauthorized", "A valid bearer token is required."),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                (StatusCodes.Status413PayloadTooLarge, "Payload too large", "The request body is larger than the configured limit (Retrieval:Limits:MaxRequestBytes)."),
            BadHttpRequestException { InnerException: JsonException } or JsonException =>
                (StatusCodes.Status400BadRequest, "Invalid request", "The request body is not valid JSON for this endpoint."),
            BadHttpRequestException e => (e.StatusCode, "Invalid request", "The request could not be read: check the body, the content type and the parameters."),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => (499, "Client closed request", "The client closed the request."),
            _ => (StatusCodes.Status500InternalServerError, "Internal error", "An unexpected error occurred. The trace id identifies it in the service log."),
        };

        if (status >= 500)
        {
            LogUnhandled(_logger, exception, httpContext.TraceIdentifier);
        }

        httpContext.Response.StatusCode = status;
        if (exception is TooManyRequestsException tooMany)
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(tooMany.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await _problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error (trace {TraceId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string traceId);
}
