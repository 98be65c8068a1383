using System.Collections.Concurrent;
using System.Collections.Immutable;
using Extensible.Sdk.Storage;

namespace Extensible.Storage.Engine;

/// <summary>Watchers of accounts' changes; called on the committing thread in commit order.</summary>
internal sealed class ChangeHub(Serilog.ILogger logger)
{
    private readonly ConcurrentDictionary<string, ImmutableArray<Action<MailboxChange>>> _watchers = new(StringComparer.Ordinal);

    /// <summary>Adds a watcher for an account; dispose the result to remove it.</summary>
    public IDisposable Watch(string accountId, Action<MailboxChange> onChange)
    {
        _watchers.AddOrUpdate(accountId, _ => [onChange], (_, list) => list.Add(onChange));
        return new Subscription(this, accountId, onChange);
    }

    /// <summary>Calls every watcher of the account; a throwing watcher is logged and skipped.</summary>
    public void Publish(string accountId, MailboxChange change)
    {
        if (!_watchers.TryGetValue(accountId, out var list))
        {
            return;
        }

        foreach (var watcher in list)
        {
            try
            {
                watcher(change);
            }
            catch (Exception ex)
            {
                logger.Warning(ex, "A storage change watcher threw");
            }
        }
    }

    private void Remove(string accountId, Action<MailboxChange> onChange)
    {
        while (_watchers.TryGetValue(accountId, out var list))
        {
            var updated = list.Remove(onChange);
            if (updated.IsEmpty
                ? _watchers.TryRemove(new KeyValuePair<string, ImmutableArray<Action<MailboxChange>>>(accountId, list))
                : _watchers.TryUpdate(accountId, updated, list))
            {
                return;
            }
        }
    }

    private sealed class Subscription(ChangeHub hub, string accountId, Action<MailboxChange> onChange) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                hub.Remove(accountId, onChange);
            }
        }
    }
}
