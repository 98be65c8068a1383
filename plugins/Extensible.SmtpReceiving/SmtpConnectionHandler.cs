using System.Runtime.CompilerServices;
using Extensible.Sdk.Connections;
using Extensible.SmtpReceiving.Session;

namespace Extensible.SmtpReceiving;

/// <summary>Runs an SMTP session on each accepted connection of the mx, submission and smtps listeners.</summary>
internal sealed class SmtpConnectionHandler(SmtpReceivingServices services) : MailConnectionHandler
{
    private volatile SmtpReceivingServices _services = services;

    // Binding listener options is reflection work; do it once per listener (and again after a reload), not per connection.
    private volatile ConditionalWeakTable<ListenerInfo, SmtpListenerSettings> _listenerSettings = [];

    /// <summary>Replaces the services for sessions that start from now on (config reload).</summary>
    public void Update(SmtpReceivingServices services)
    {
        _services = services;
        _listenerSettings = [];
    }

    /// <inheritdoc />
    public override Task OnConnectedAsync(MailConnectionContext connection)
    {
        var listener = connection.Listener;
        var settings = _listenerSettings.GetValue(listener, l => l.GetOptions<SmtpListenerOptions>().Resolve(l.Name));
        return new SmtpSession(connection, _services, settings).RunAsync();
    }

    /// <inheritdoc />
    public override string? FormatRefusal(RefusalReason reason, string serverName) => reason switch
    {
        RefusalReason.Denied => $"554 5.7.1 {serverName} Access denied\r\n",
        RefusalReason.Busy => $"421 4.3.2 {serverName} Too many connections, try again later\r\n",
        RefusalReason.RateLimited => $"421 4.7.0 {serverName} Connection rate limit exceeded, slow down\r\n",
        RefusalReason.IdleTimeout => $"421 4.4.2 {serverName} Idle timeout, closing connection\r\n",
        RefusalReason.ShuttingDown => $"421 4.3.2 {serverName} Service shutting down\r\n",
        _ => $"421 4.3.0 {serverName} Closing connection\r\n",
    };
}
