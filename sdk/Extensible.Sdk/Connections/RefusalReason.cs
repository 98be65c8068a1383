namespace Extensible.Sdk.Connections;

/// <summary>Why the host refuses or ends a connection before or outside the protocol.</summary>
public enum RefusalReason
{
    /// <summary>An access rule denies the peer.</summary>
    Denied,

    /// <summary>The service, listener or rule is at its connection limit.</summary>
    Busy,

    /// <summary>The peer opened too many connections in the configured interval.</summary>
    RateLimited,

    /// <summary>The connection was idle for longer than its idle timeout.</summary>
    IdleTimeout,

    /// <summary>The server or the service is shutting down.</summary>
    ShuttingDown,
}
