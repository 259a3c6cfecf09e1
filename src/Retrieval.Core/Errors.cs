namespace Retrieval.Core;

/// <summary>Bad input from a caller: mapped to 400 with the message shown.</summary>
public class ValidationException : Exception
{
    public ValidationException(string message) : base(message) { }

    public ValidationException(string message, Exception inner) : base(message, inner) { }

    public ValidationException() { }
}

/// <summary>A request larger than a configured limit: mapped to 413.</summary>
public sealed class PayloadTooLargeException : ValidationException
{
    public PayloadTooLargeException(string message) : base(message) { }

    public PayloadTooLargeException() { }

    public PayloadTooLargeException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The thing does not exist, or the caller may not see it (never distinguished): mapped to 404.</summary>
public sealed class NotFoundException : Exception
{
    public NotFoundException(string message) : base(message) { }

    public NotFoundException() { }

    public NotFoundException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The request conflicts with current state (e.g. cancelling a finished job): mapped to 409.</summary>
public sealed class ConflictException : Exception
{
    public ConflictException(string message) : base(message) { }

    public ConflictException() { }

    public ConflictException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The caller is authenticated but lacks a role: mapped to 403.</summary>
public sealed class ForbiddenException : Exception
{
    public ForbiddenException(string message) : base(message) { }

    public ForbiddenException() { }

    public ForbiddenException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// An engine the request needs (Qdrant, Neo4j, PostgreSQL) is unreachable or failed: mapped to 503. The message names the
/// engine and the setting to check, never data.
/// </summary>
public sealed class DependencyUnavailableException : Exception
{
    public DependencyUnavailableException(string message) : base(message) { }

    public DependencyUnavailableException() { }

    public DependencyUnavailableException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// The caller is over a quota that frees up with time (e.g. too many active ingestion jobs): mapped to 429 with
/// <c>Retry-After</c> set to <see cref="RetryAfter"/>.
/// </summary>
public sealed class TooManyRequestsException : Exception
{
    public TooManyRequestsException(string message, TimeSpan retryAfter) : base(message) => RetryAfter = retryAfter;

    public TooManyRequestsException(string message) : this(message, TimeSpan.FromSeconds(1)) { }

    public TooManyRequestsException() : this("Too many requests.") { }

    public TooManyRequestsException(string message, Exception inner) : base(message, inner) => RetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>How long the caller should wait before trying again.</summary>
    public TimeSpan RetryAfter { get; }
}
