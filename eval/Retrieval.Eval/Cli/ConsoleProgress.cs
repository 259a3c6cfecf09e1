using System.Globalization;
using Retrieval.Eval.Running;
using Spectre.Console;

namespace Retrieval.Eval.Cli;

/// <summary>
/// Progress bars on an interactive terminal; on redirected output (a log file) one line per 10 % instead, so logs stay
/// readable. Notes are printed when the bars are gone.
/// </summary>
internal sealed class ConsoleProgress : IEvalProgress
{
    private readonly IAnsiConsole _console;
    private readonly ProgressContext? _context;
    private readonly List<string> _notes = [];

    private ConsoleProgress(IAnsiConsole console, ProgressContext? context)
    {
        _console = console;
        _context = context;
    }

    public static async Task<T> RunAsync<T>(IAnsiConsole console, Func<IEvalProgress, Task<T>> work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            var plain = new ConsoleProgress(console, null);
            var value = await work(plain);
            plain.FlushNotes();
            return value;
        }

        ConsoleProgress? progress = null;
        var result = await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                progress = new ConsoleProgress(console, context);
                return await work(progress);
            });
        progress?.FlushNotes();
        return result;
    }

    public IEvalProgressTask Begin(string description, int total)
    {
        if (_context is not null)
        {
            return new BarTask(_context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total)));
        }

        _console.WriteLine(description + " …");
        return new LineTask(_console, description, total);
    }

    public void Note(string message)
    {
        if (_context is null)
        {
            _console.WriteLine(message);
            return;
        }

        lock (_notes)
        {
            _notes.Add(message);
        }
    }

    private void FlushNotes()
    {
        foreach (var note in _notes)
        {
            _console.MarkupLine("[grey]" + Markup.Escape(note) + "[/]");
        }

        _notes.Clear();
    }

    private sealed class BarTask(ProgressTask task) : IEvalProgressTask
    {
        public void Increment() => task.Increment(1);

        public void Complete() => task.Value = task.MaxValue;
    }

    private sealed class LineTask(IAnsiConsole console, string description, int total) : IEvalProgressTask
    {
        private int _done;
        private int _reported;

        public void Increment()
        {
            var done = Interlocked.Increment(ref _done);
            var decile = total == 0 ? 10 : done * 10 / total;
            var previous = Volatile.Read(ref _reported);
            if (decile > previous && Interlocked.CompareExchange(ref _reported, decile, previous) == previous && decile < 10)
            {
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {description}: {decile * 10} % ({done:N0}/{total:N0})"));
            }
        }

        public void Complete() => console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {description}: done"));
    }
}
