using System.Net;
using Extensible.Sdk.Connections;

namespace Extensible.Hosting.Networking;

/// <summary>What a service's listeners share at admission: the service-wide connection cap, refusal counters, throttled refusal logging and the per-peer login penalties.</summary>
internal sealed class ServiceAccess(Serilog.ILogger logger)
{
    /// <summary>How often one peer's refusals are logged at most.</summary>
    public static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);

    private static readonly RefusalReason[] Reasons = Enum.GetValues<RefusalReason>();

    private readonly long[] _refusals = new long[Reasons.Length];
    private readonly RefusalLog _log = new(LogInterval);
    private long _proxyFailures;
    private int _open;
    private int _maxConnections;
    private int _maxAuthErrors;

    /// <summary>Open connections across all listeners that hold a service slot.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>The service-wide cap (the thread budget's MaxConnections); 0 for none.</summary>
    public int MaxConnections
    {
        get => Volatile.Read(ref _maxConnections);
        set => Volatile.Write(ref _maxConnections, value);
    }

    /// <summary>Failed logins before a peer's new connections are delayed (the service's MaxAuthErrors); 0 for never.</summary>
    public int MaxAuthErrors
    {
        get => Volatile.Read(ref _maxAuthErrors);
        set => Volatile.Write(ref _maxAuthErrors, value);
    }

    /// <summary>Failed logins per peer.</summary>
    public PeerPenalties Penalties { get; } = new();

    /// <summary>Refusals so far, all reasons.</summary>
    public long TotalRefusals => Reasons.Sum(r => Refusals(r));

    /// <summary>Refusals so far for one reason.</summary>
    public long Refusals(RefusalReason reason) => Interlocked.Read(ref _refusals[(int)reason]);

    /// <summary>Takes a service slot unless the service is at <see cref="MaxConnections"/>.</summary>
    public bool TryEnter()
    {
        var count = Interlocked.Increment(ref _open);
        var max = MaxConnections;
        if (max > 0 && count > max)
        {
            Interlocked.Decrement(ref _open);
            return false;
        }

        return true;
    }

    /// <summary>Gives a service slot back.</summary>
    public void Exit() => Interlocked.Decrement(ref _open);

    /// <summary>Counts a refusal and logs it unless this peer was logged within <see cref="LogInterval"/>.</summary>
    public void RecordRefusal(RefusalReason reason, IPAddress peer, string listener, string detail)
    {
        Interlocked.Increment(ref _refusals[(int)reason]);
        if (_log.ShouldLog(peer, Environment.TickCount64, out var suppressed))
        {
            if (suppressed > 0)
            {
                logger.Information("Refused {Peer} on {Listener}: {Reason} ({Detail}); {Suppressed} more refusals of this peer since the last report", peer, listener, reason, detail, suppressed);
            }
            else
            {
                logger.Information("Refused {Peer} on {Listener}: {Reason} ({Detail})", peer, listener, reason, detail);
            }
        }
    }

    /// <summary>Connections closed because their PROXY header was missing, malformed or late.</summary>
    public long ProxyFailures => Interlocked.Read(ref _proxyFailures);

    /// <summary>Counts a connection closed for a bad PROXY header, logging it like a refusal (throttled per peer).</summary>
    public void RecordProxyFailure(IPAddress proxy, string listener, string reason)
    {
        Interlocked.Increment(ref _proxyFailures);
        if (_log.ShouldLog(proxy, Environment.TickCount64, out var suppressed))
        {
            logger.Warning("Closed a connection from {Peer} on {Listener}: {Error}; {Suppressed} more since the last report", proxy, listener, reason, suppressed);
        }
    }

    /// <summary>Records a failed login of <paramref name="peer"/>, logging when it crosses into a penalty.</summary>
    public void ReportAuthenticationFailure(IPAddress peer)
    {
        var failures = Penalties.ReportFailure(peer, Environment.TickCount64);
        var threshold = MaxAuthErrors;
        if (threshold > 0 && failures == threshold)
        {
            logger.Warning("Peer {Peer} failed {Failures} logins: its new connections are slowed down for {Minutes} minutes", peer, failures, PeerPenalties.Memory.TotalMinutes);
        }
    }
}
