using DnsClient;

namespace Extensible.Hosting.Dns;

/// <summary>A bounded, least-recently-used cache of DNS answers per record type, honoring each answer's time to live.</summary>
/// <remarks>Thread-safe; every record type holds at most the configured number of names.</remarks>
internal sealed class DnrCache(int capacityPerType, TimeProvider time)
{
    private readonly Dictionary<QueryType, TypeCache> _types = [];
    private readonly object _gate = new();

    /// <summary>Returns the cached answer for the name and type, or null when absent or expired.</summary>
    public DnrAnswer? Get(string name, QueryType type)
    {
        lock (_gate)
        {
            if (!_types.TryGetValue(type, out var cache) || !cache.Map.TryGetValue(name, out var node))
            {
                return null;
            }

            if (node.Value.Expires <= time.GetUtcNow())
            {
                cache.Order.Remove(node);
                cache.Map.Remove(name);
                return null;
            }

            cache.Order.Remove(node);
            cache.Order.AddFirst(node);
            return node.Value.Answer;
        }
    }

    /// <summary>Stores an answer for <paramref name="ttl"/>; a zero or negative TTL stores nothing.</summary>
    public void Set(string name, QueryType type, DnrAnswer answer, TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero || capacityPerType <= 0)
        {
            return;
        }

        lock (_gate)
        {
            if (!_types.TryGetValue(type, out var cache))
            {
                cache = new TypeCache();
                _types[type] = cache;
            }

            if (cache.Map.TryGetValue(name, out var existing))
            {
                cache.Order.Remove(existing);
                cache.Map.Remove(name);
            }

            while (cache.Map.Count >= capacityPerType && cache.Order.Last is { } oldest)
            {
                cache.Order.RemoveLast();
                cache.Map.Remove(oldest.Value.Name);
            }

            cache.Map[name] = cache.Order.AddFirst(new Entry(name, answer, time.GetUtcNow() + ttl));
        }
    }

    /// <summary>Drops every cached answer (AXIGEN's EMPTYCACHE).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _types.Clear();
        }
    }

    /// <summary>How many names are cached for the type.</summary>
    public int Count(QueryType type)
    {
        lock (_gate)
        {
            return _types.TryGetValue(type, out var cache) ? cache.Map.Count : 0;
        }
    }

    private sealed record Entry(string Name, DnrAnswer Answer, DateTimeOffset Expires);

    private sealed class TypeCache
    {
        public Dictionary<string, LinkedListNode<Entry>> Map { get; } = new(StringComparer.Ordinal);

        public LinkedList<Entry> Order { get; } = new();
    }
}
