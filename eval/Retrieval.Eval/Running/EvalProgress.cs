namespace Retrieval.Eval.Running;

/// <summary>Where long phases (indexing, querying) report progress: a console progress bar, or nothing in tests.</summary>
public interface IEvalProgress
{
    IEvalProgressTask Begin(string description, int total);

    /// <summary>A one-line status message (e.g. "store reused").</summary>
    void Note(string message);
}

public interface IEvalProgressTask
{
    void Increment();

    void Complete();
}

public sealed class SilentProgress : IEvalProgress
{
    public static readonly SilentProgress Instance = new();

    private readonly List<string> _notes = [];

    public IReadOnlyList<string> Notes => _notes;

    public IEvalProgressTask Begin(string description, int total) => NoTask.Instance;

    public void Note(string message)
    {
        lock (_notes)
        {
            _notes.Add(message);
        }
    }

    private sealed class NoTask : IEvalProgressTask
    {
        public static readonly NoTask Instance = new();

        public void Increment()
        {
        }

        public void Complete()
        {
        }
    }
}
