using Extensible.Sdk.Connections;

namespace Extensible.Pop3;

/// <summary>Runs a <see cref="Pop3Session"/> on each accepted connection with the options in force when it arrived.</summary>
public sealed class Pop3ConnectionHandler(Func<Pop3Services> services) : MailConnectionHandler
{
    /// <inheritdoc />
    public override Task OnConnectedAsync(MailConnectionContext connection) => new Pop3Session(connection, services()).RunAsync();

    /// <inheritdoc />
    public override string? FormatRefusal(RefusalReason reason, string serverName) => reason switch
    {
        RefusalReason.Denied => $"-ERR [SYS/PERM] {serverName} POP3 access denied\r\n",
        RefusalReason.Busy => $"-ERR [SYS/TEMP] {serverName} POP3 too many connections, try again later\r\n",
        RefusalReason.RateLimited => $"-ERR [SYS/TEMP] {serverName} POP3 too many connections from your address, try again later\r\n",
        RefusalReason.IdleTimeout => $"-ERR [SYS/TEMP] {serverName} POP3 idle for too long, closing connection\r\n",
        RefusalReason.ShuttingDown => $"-ERR [SYS/TEMP] {serverName} POP3 server shutting down\r\n",
        _ => $"-ERR [SYS/TEMP] {serverName} POP3 unavailable\r\n",
    };
}
