using Microsoft.Extensions.Options;

namespace Retrieval.Core.Graph;

/// <summary>
/// Community summaries by the key of their exact inputs (<see cref="ICommunitySummarizer.CacheKey"/>: generator, prompt
/// version, every source chunk id and text). Never keyed by community: two callers share an entry only when the summary
/// was written from the very same chunks, which both could read. Least recently used entries go first.
/// </summary>
public sealed class CommunitySummaryCache
{
    private readonly IOptionsMonitor<GlobalGraphOptions> _options;
    private readonly Dictionary<string, LinkedListNode<(string Key, CommunitySummary Summary)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, CommunitySummary Summary)> _order = new();
    private readonly Lock _lock = new();

    public CommunitySummaryCache(IOptionsMonitor<GlobalGraphOptions> options) => _options = options;

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public bool TryGet(string key, out CommunitySummary summary)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                Hits++;
                summary = node.Value.Summary;
                return true;
            }

            Misses++;
            summary = null!;
            return false;
        }
    }

    public void Set(string key, CommunitySummary summary)
    {
        var capacity = _options.CurrentValue.SummaryCacheSize;
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                _order.Remove(existing);
                _entries.Remove(key);
            }

            if (capacity == 0)
            {
                return;
            }

            while (_entries.Count >= capacity && _order.Last is { } last)
            {
                _entries.Remove(last.Value.Key);
                _order.RemoveLast();
            }

            _entries[key] = _order.AddFirst((key, summary));
        }
    }
}
