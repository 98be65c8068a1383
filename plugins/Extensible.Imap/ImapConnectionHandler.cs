using Extensible.Sdk.Connections;
using Extensible.Sdk.Plugins;
using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;

namespace Extensible.Imap;

/// <summary>Runs an <see cref="ImapSession"/> on each accepted connection.</summary>
internal sealed class ImapConnectionHandler(PluginContext context, ImapOptions options, IMessageStore store, IUserDirectory users, Mime.MessageCache cache, RecentRegistry recent) : MailConnectionHandler
{
    /// <inheritdoc />
    public override async Task OnConnectedAsync(MailConnectionContext connection)
    {
        await using var session = new ImapSession(connection, context.ServerName, options, store, users, cache, recent);
        await session.RunAsync();
    }

    /// <inheritdoc />
    public override string? FormatRefusal(RefusalReason reason, string serverName) => reason switch
    {
        RefusalReason.Denied => "* BYE Access denied\r\n",
        RefusalReason.Busy => "* BYE [UNAVAILABLE] Too many connections, try again later\r\n",
        RefusalReason.RateLimited => "* BYE [UNAVAILABLE] Too many connections from your address, try again later\r\n",
        RefusalReason.IdleTimeout => "* BYE Autologout; idle for too long\r\n",
        RefusalReason.ShuttingDown => "* BYE [UNAVAILABLE] Server shutting down\r\n",
        _ => "* BYE Connection refused\r\n",
    };
}
