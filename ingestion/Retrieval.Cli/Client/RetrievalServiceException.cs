using System.Net;
using Retrieval.Cli.Infrastructure;

namespace Retrieval.Cli.Client;

/// <summary>The service answered with an error status; the message is ready to show.</summary>
public sealed class RetrievalServiceException : CliException
{
    public RetrievalServiceException()
    {
    }

    public RetrievalServiceException(string message)
        : base(message)
    {
    }

    public RetrievalServiceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RetrievalServiceException(string message, HttpStatusCode status, ProblemDetailsBody? problem)
        : base(message)
    {
        Status = status;
        Problem = problem;
    }

    public HttpStatusCode? Status { get; }

    public ProblemDetailsBody? Problem { get; }
}

/// <summary>No HTTP answer at all: connection refused, DNS failure, TLS failure or a timeout.</summary>
public sealed class ServiceUnreachableException : CliException
{
    public ServiceUnreachableException()
    {
    }

    public ServiceUnreachableException(string message)
        : base(message)
    {
    }

    public ServiceUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
