using System.IO.Pipelines;
using System.Net;
using System.Security.Authentication;
using Extensible.Sdk.Plugins;

namespace Extensible.Sdk.Connections;

/// <summary>One accepted connection, as the host hands it to a <see cref="MailConnectionHandler"/>.</summary>
public abstract class MailConnectionContext
{
    /// <summary>Short unique id carried by every log event of this connection.</summary>
    public abstract string ConnectionId { get; }

    /// <summary>Read and write here; read the property again after <see cref="UpgradeToTlsAsync"/>, which replaces the pipe.</summary>
    public abstract IDuplexPipe Transport { get; }

    /// <summary>The client's address (after PROXY protocol, the original client).</summary>
    public abstract IPEndPoint RemoteEndPoint { get; }

    /// <summary>The server address the client connected to.</summary>
    public abstract IPEndPoint LocalEndPoint { get; }

    /// <summary>The listener this connection arrived on.</summary>
    public abstract ListenerInfo Listener { get; }

    /// <summary>Cancelled when the host ends the connection (idle timeout, abort, service stop); a peer that goes away shows as completed input.</summary>
    public abstract CancellationToken ConnectionClosed { get; }

    /// <summary>True once TLS is established, by implicit TLS or an upgrade.</summary>
    public abstract bool IsSecure { get; }

    /// <summary>The negotiated TLS protocol, or <see cref="SslProtocols.None"/> before TLS.</summary>
    public abstract SslProtocols TlsProtocol { get; }

    /// <summary>The negotiated TLS cipher suite name, or null before TLS.</summary>
    public abstract string? TlsCipherSuite { get; }

    /// <summary>Starts TLS in place (STARTTLS, STLS); call after writing the go-ahead reply and flushing it.</summary>
    /// <remarks>
    /// Unread input received before the handshake is discarded, as RFC 3207 requires against command injection. A failed or
    /// timed-out handshake throws <see cref="AuthenticationException"/> and closes the connection: the handler should end.
    /// </remarks>
    public abstract Task UpgradeToTlsAsync(CancellationToken cancellationToken = default);

    /// <summary>Logger enriched with service, connection id and peer.</summary>
    public abstract Serilog.ILogger Logger { get; }

    /// <summary>Protocol transcript, written only at the lowest log level.</summary>
    public abstract IProtocolTranscript Transcript { get; }

    /// <summary>The service's current error limits.</summary>
    public abstract ServiceLimits Limits { get; }

    /// <summary>Tells the host that a login failed, so it can slow the peer down.</summary>
    public abstract void ReportAuthenticationFailure();

    /// <summary>Per-connection state shared by the handler's parts.</summary>
    public abstract IDictionary<object, object?> Items { get; }

    /// <summary>Closes the connection at once and logs the reason.</summary>
    public abstract void Abort(string reason);
}
