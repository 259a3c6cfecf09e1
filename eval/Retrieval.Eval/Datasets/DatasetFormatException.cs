namespace Retrieval.Eval.Datasets;

/// <summary>Input that is not in the expected format. The message always names the file and (1-based) line.</summary>
public sealed class DatasetFormatException : Exception
{
    public DatasetFormatException(string file, long line, string problem)
        : base($"{file}:{line}: {problem}")
    {
        FilePath = file;
        Line = line;
        Problem = problem;
    }

    public DatasetFormatException(string file, long line, string problem, Exception innerException)
        : base($"{file}:{line}: {problem}", innerException)
    {
        FilePath = file;
        Line = line;
        Problem = problem;
    }

    public DatasetFormatException()
        : this("(unknown)", 0, "malformed input")
    {
    }

    public DatasetFormatException(string message)
        : this("(unknown)", 0, message)
    {
    }

    public DatasetFormatException(string message, Exception innerException)
        : this("(unknown)", 0, message, innerException)
    {
    }

    public string FilePath { get; }

    public long Line { get; }

    public string Problem { get; }
}
