using System.Net;
using Extensible.Sdk.Connections;

namespace Extensible.Hosting.Networking;

/// <summary>Decides whether a new connection to one listener is let in, and holds its place while it is open.</summary>
internal sealed class ConnectionAdmission(Func<int> serviceMaxConnections)
{
    private int _serviceConnections;

    /// <summary>Connections refused so far.</summary>
    public long Refusals => Interlocked.Read(ref _refusals);

    private long _refusals;

    /// <summary>Admits the peer or returns why not; dispose the lease when the connection closes.</summary>
    public (IDisposable? Lease, RefusalReason? Refusal) TryAdmit(IPAddress peer)
    {
        var count = Interlocked.Increment(ref _serviceConnections);
        var max = serviceMaxConnections();
        if (max > 0 && count > max)
        {
            Interlocked.Decrement(ref _serviceConnections);
            Interlocked.Increment(ref _refusals);
            return (null, RefusalReason.Busy);
        }

        return (new Lease(this), null);
    }

    /// <summary>Seconds a connection from this peer may stay idle; 0 for no limit.</summary>
    public int IdleTimeoutSeconds(IPAddress peer) => 0;

    /// <summary>Records a failed login from the peer.</summary>
    public void ReportAuthFailure(IPAddress peer)
    {
    }

    private sealed class Lease(ConnectionAdmission owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref owner._serviceConnections);
            }
        }
    }
}
