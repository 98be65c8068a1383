using System.Net;

namespace Extensible.Hosting.Networking;

/// <summary>
/// Failed logins per peer, and the greeting delay they earn: none below the service's MaxAuthErrors, then one second
/// doubling with every further failure up to <see cref="MaxDelay"/>. A peer is forgotten <see cref="Memory"/> after its
/// last failure; the table holds at most a fixed number of peers.
/// </summary>
internal sealed class PeerPenalties(int capacity = PeerPenalties.DefaultCapacity)
{
    /// <summary>Peers remembered at most.</summary>
    public const int DefaultCapacity = 10_000;

    /// <summary>The longest greeting delay.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>How long failures are remembered after the last one.</summary>
    public static readonly TimeSpan Memory = TimeSpan.FromMinutes(15);

    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, Entry> _peers = [];

    /// <summary>Peers remembered now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _peers.Count;
            }
        }
    }

    /// <summary>Records a failed login; returns the peer's failures within the memory window. <paramref name="now"/> is in milliseconds.</summary>
    public int ReportFailure(IPAddress peer, long now)
    {
        lock (_lock)
        {
            if (!_peers.TryGetValue(peer, out var entry) || Expired(entry, now))
            {
                if (_peers.Count >= capacity)
                {
                    Prune(now);
                }

                entry = new Entry();
                _peers[peer] = entry;
            }

            entry.Failures++;
            entry.LastFailure = now;
            return entry.Failures;
        }
    }

    /// <summary>How long to hold a new connection of <paramref name="peer"/> before its greeting; zero when it is in good standing or <paramref name="threshold"/> is 0.</summary>
    public TimeSpan DelayFor(IPAddress peer, int threshold, long now)
    {
        if (threshold <= 0)
        {
            return TimeSpan.Zero;
        }

        lock (_lock)
        {
            if (!_peers.TryGetValue(peer, out var entry))
            {
                return TimeSpan.Zero;
            }

            if (Expired(entry, now))
            {
                _peers.Remove(peer);
                return TimeSpan.Zero;
            }

            var beyond = entry.Failures - threshold;
            if (beyond < 0)
            {
                return TimeSpan.Zero;
            }

            var seconds = beyond >= 5 ? MaxDelay.TotalSeconds : Math.Min(MaxDelay.TotalSeconds, 1 << beyond);
            return TimeSpan.FromSeconds(seconds);
        }
    }

    private static bool Expired(Entry entry, long now) => now - entry.LastFailure >= (long)Memory.TotalMilliseconds;

    private void Prune(long now)
    {
        foreach (var (address, entry) in _peers)
        {
            if (Expired(entry, now))
            {
                _peers.Remove(address);
            }
        }

        if (_peers.Count >= capacity)
        {
            foreach (var (address, _) in _peers.OrderBy(p => p.Value.LastFailure).Take(_peers.Count - (capacity * 3 / 4)).ToList())
            {
                _peers.Remove(address);
            }
        }
    }

    private sealed class Entry
    {
        public int Failures { get; set; }

        public long LastFailure { get; set; }
    }
}
