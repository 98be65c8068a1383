using System.Net;
using Extensible.Hosting.Configuration;
using Extensible.Sdk.Connections;

namespace Extensible.Hosting.Networking;

/// <summary>
/// The connection counters of one limit scope (a listener, or an allow rule): open connections in total and per peer,
/// and new connections per interval in total and per peer (fixed windows). Per-peer memory is bounded.
/// </summary>
internal sealed class FlowScope(int maxPeers = FlowScope.DefaultMaxPeers)
{
    /// <summary>Peers remembered at most; beyond it peers without open connections are forgotten.</summary>
    public const int DefaultMaxPeers = 50_000;

    /// <summary>The window used when a per-interval limit is set without its interval (AXIGEN's default minute).</summary>
    public const int DefaultIntervalSeconds = 60;

    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, PeerState> _peers = [];
    private int _open;
    private long _windowStart = long.MinValue / 4;
    private int _windowCount;

    /// <summary>Connections open now in this scope.</summary>
    public int Open
    {
        get
        {
            lock (_lock)
            {
                return _open;
            }
        }
    }

    /// <summary>Peers remembered now.</summary>
    public int PeerCount
    {
        get
        {
            lock (_lock)
            {
                return _peers.Count;
            }
        }
    }

    /// <summary>Counts a new connection from <paramref name="peer"/> unless a limit forbids it; <paramref name="now"/> is in milliseconds.</summary>
    public bool TryEnter(IPAddress peer, LimitOptions limits, long now, out RefusalReason refusal)
    {
        lock (_lock)
        {
            if (limits.MaxConnections > 0 && _open >= limits.MaxConnections)
            {
                refusal = RefusalReason.Busy;
                return false;
            }

            _peers.TryGetValue(peer, out var state);
            if (limits.PeerMaxConnections > 0 && state is not null && state.Open >= limits.PeerMaxConnections)
            {
                refusal = RefusalReason.Busy;
                return false;
            }

            var window = Seconds(limits.TimeInterval) * 1000L;
            if (now - _windowStart >= window)
            {
                _windowStart = now;
                _windowCount = 0;
            }

            if (limits.MaxIntervalConnections > 0 && _windowCount >= limits.MaxIntervalConnections)
            {
                refusal = RefusalReason.RateLimited;
                return false;
            }

            var peerWindow = Seconds(limits.PeerTimeInterval) * 1000L;
            if (state is not null && now - state.WindowStart >= peerWindow)
            {
                state.WindowStart = now;
                state.WindowCount = 0;
            }

            if (limits.PeerMaxIntervalConnections > 0 && state is not null && state.WindowCount >= limits.PeerMaxIntervalConnections)
            {
                refusal = RefusalReason.RateLimited;
                return false;
            }

            if (state is null)
            {
                if (_peers.Count >= maxPeers)
                {
                    Prune(now, peerWindow);
                }

                state = new PeerState { WindowStart = now };
                _peers[peer] = state;
            }

            _open++;
            _windowCount++;
            state.Open++;
            state.WindowCount++;
            state.LastSeen = now;
            refusal = default;
            return true;
        }
    }

    /// <summary>Counts a connection of <paramref name="peer"/> as closed.</summary>
    public void Exit(IPAddress peer, long now, LimitOptions limits)
    {
        lock (_lock)
        {
            _open--;
            if (_peers.TryGetValue(peer, out var state))
            {
                state.Open--;
                state.LastSeen = now;

                // Without a per-peer interval limit nothing about an idle peer needs remembering.
                if (state.Open <= 0 && limits.PeerMaxIntervalConnections <= 0)
                {
                    _peers.Remove(peer);
                }
            }
        }
    }

    private static int Seconds(int configured) => configured > 0 ? configured : DefaultIntervalSeconds;

    private void Prune(long now, long peerWindow)
    {
        foreach (var (address, state) in _peers)
        {
            if (state.Open <= 0 && now - state.WindowStart >= peerWindow)
            {
                _peers.Remove(address);
            }
        }

        if (_peers.Count < maxPeers)
        {
            return;
        }

        // Still full of recent peers: forget the idle ones, least recently seen first, down to three quarters.
        foreach (var (address, _) in _peers.Where(p => p.Value.Open <= 0).OrderBy(p => p.Value.LastSeen).Take(_peers.Count - (maxPeers * 3 / 4)).ToList())
        {
            _peers.Remove(address);
        }
    }

    private sealed class PeerState
    {
        public int Open { get; set; }

        public long WindowStart { get; set; }

        public int WindowCount { get; set; }

        public long LastSeen { get; set; }
    }
}
