namespace Extensible.Hosting.Runtime;

/// <summary>Which plugin (or the host) provides each SDK contract, and which plugins use which providers.</summary>
public sealed class ServiceRegistry
{
    /// <summary>The provider id the host uses for its own services.</summary>
    public const string HostId = "host";

    private readonly Lock _lock = new();
    private readonly List<(Type Contract, string Provider, object Instance)> _entries = [];
    private readonly Dictionary<string, HashSet<string>> _dependents = new(StringComparer.Ordinal);

    /// <summary>Adds a provider of a contract.</summary>
    public void Add(Type contract, string providerId, object instance)
    {
        lock (_lock)
        {
            _entries.Add((contract, providerId, instance));
        }
    }

    /// <summary>Removes everything a provider registered.</summary>
    public void RemoveProvider(string providerId)
    {
        lock (_lock)
        {
            _entries.RemoveAll(e => e.Provider == providerId);
        }
    }

    /// <summary>True when the provider registered anything.</summary>
    public bool Provides(string providerId)
    {
        lock (_lock)
        {
            return _entries.Exists(e => e.Provider == providerId);
        }
    }

    /// <summary>The first provider of <typeparamref name="T"/>, recording that <paramref name="consumerId"/> depends on it.</summary>
    public T? Get<T>(string consumerId) where T : class
    {
        lock (_lock)
        {
            foreach (var entry in _entries)
            {
                if (entry.Contract == typeof(T))
                {
                    Track(consumerId, entry.Provider);
                    return (T)entry.Instance;
                }
            }

            return null;
        }
    }

    /// <summary>Every provider of <typeparamref name="T"/>, recording the dependencies.</summary>
    public IReadOnlyList<T> GetAll<T>(string consumerId) where T : class
    {
        lock (_lock)
        {
            var result = new List<T>();
            foreach (var entry in _entries)
            {
                if (entry.Contract == typeof(T))
                {
                    Track(consumerId, entry.Provider);
                    result.Add((T)entry.Instance);
                }
            }

            return result;
        }
    }

    /// <summary>The plugins that fetched a contract from <paramref name="providerId"/>, directly or through others.</summary>
    public IReadOnlyList<string> DependentsOf(string providerId)
    {
        lock (_lock)
        {
            var result = new List<string>();
            var pending = new Queue<string>([providerId]);
            while (pending.TryDequeue(out var current))
            {
                if (!_dependents.TryGetValue(current, out var set))
                {
                    continue;
                }

                foreach (var dependent in set)
                {
                    if (dependent != providerId && !result.Contains(dependent))
                    {
                        result.Add(dependent);
                        pending.Enqueue(dependent);
                    }
                }
            }

            return result;
        }
    }

    /// <summary>Forgets what a consumer depended on (before it restarts).</summary>
    public void ForgetConsumer(string consumerId)
    {
        lock (_lock)
        {
            foreach (var set in _dependents.Values)
            {
                set.Remove(consumerId);
            }
        }
    }

    private void Track(string consumerId, string providerId)
    {
        if (consumerId == providerId || providerId == HostId)
        {
            return;
        }

        if (!_dependents.TryGetValue(providerId, out var set))
        {
            _dependents[providerId] = set = new HashSet<string>(StringComparer.Ordinal);
        }

        set.Add(consumerId);
    }
}
