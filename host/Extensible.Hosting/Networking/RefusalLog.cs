using System.Net;

namespace Extensible.Hosting.Networking;

/// <summary>Decides which refusals get a log line: the first per peer per interval; the rest are counted and reported with the next line.</summary>
internal sealed class RefusalLog(TimeSpan interval, int capacity = RefusalLog.DefaultCapacity)
{
    /// <summary>Peers remembered at most.</summary>
    public const int DefaultCapacity = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, Entry> _peers = [];

    /// <summary>True when this refusal should be logged; <paramref name="suppressed"/> tells how many were not since the last line. <paramref name="now"/> is in milliseconds.</summary>
    public bool ShouldLog(IPAddress peer, long now, out int suppressed)
    {
        var window = (long)interval.TotalMilliseconds;
        lock (_lock)
        {
            if (_peers.TryGetValue(peer, out var entry) && now - entry.LastLogged < window)
            {
                entry.Suppressed++;
                suppressed = 0;
                return false;
            }

            if (entry is null)
            {
                if (_peers.Count >= capacity)
                {
                    foreach (var (address, old) in _peers)
                    {
                        if (now - old.LastLogged >= window)
                        {
                            _peers.Remove(address);
                        }
                    }

                    if (_peers.Count >= capacity)
                    {
                        _peers.Clear();
                    }
                }

                entry = new Entry();
                _peers[peer] = entry;
            }

            suppressed = entry.Suppressed;
            entry.Suppressed = 0;
            entry.LastLogged = now;
            return true;
        }
    }

    private sealed class Entry
    {
        public long LastLogged { get; set; }

        public int Suppressed { get; set; }
    }
}
