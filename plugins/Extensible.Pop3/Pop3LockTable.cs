using System.Collections.Concurrent;

namespace Extensible.Pop3;

/// <summary>In-process exclusive maildrop locks, one per account id, shared by every session of the service.</summary>
public sealed class Pop3LockTable
{
    private readonly ConcurrentDictionary<string, object> _held = new(StringComparer.Ordinal);

    /// <summary>Takes the account's lock; returns null when another session holds it, else a handle that releases it once.</summary>
    public IDisposable? TryAcquire(string accountId)
    {
        var owner = new object();
        return _held.TryAdd(accountId, owner) ? new Handle(this, accountId, owner) : null;
    }

    private sealed class Handle(Pop3LockTable table, string accountId, object owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                table._held.TryRemove(new KeyValuePair<string, object>(accountId, owner));
            }
        }
    }
}
