using System.Collections.Concurrent;

namespace Extensible.Pop3;

/// <summary>Last login time per account, to enforce RFC 2449 LOGIN-DELAY within this process.</summary>
public sealed class Pop3LoginHistory(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, long> _lastLogin = new(StringComparer.Ordinal);

    /// <summary>Records a login now and returns true, or returns false when the previous one is less than <paramref name="delay"/> ago.</summary>
    public bool TryRecord(string accountId, TimeSpan delay)
    {
        var now = time.GetTimestamp();
        if (delay <= TimeSpan.Zero)
        {
            return true;
        }

        while (true)
        {
            if (!_lastLogin.TryGetValue(accountId, out var previous))
            {
                if (_lastLogin.TryAdd(accountId, now))
                {
                    return true;
                }

                continue;
            }

            if (time.GetElapsedTime(previous, now) < delay)
            {
                return false;
            }

            if (_lastLogin.TryUpdate(accountId, now, previous))
            {
                return true;
            }
        }
    }
}
