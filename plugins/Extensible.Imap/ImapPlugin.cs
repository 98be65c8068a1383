using System.Composition;
using Extensible.Sdk.Plugins;
using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;

namespace Extensible.Imap;

/// <summary>The IMAP service (AXIGEN 3.2.5): IMAP4rev1 and IMAP4rev2 on a plain listener with STARTTLS and an implicit-TLS one.</summary>
[Export(typeof(IMailPlugin))]
public sealed class ImapPlugin : IMailPlugin
{
    /// <inheritdoc />
    public IReadOnlyList<ListenerDefaults> DefaultListeners { get; } =
    [
        new("imap", "127.0.0.1:2143"),
        new("imaps", "127.0.0.1:2993", ImplicitTls: true),
    ];

    /// <inheritdoc />
    public ThreadBudget DefaultBudget { get; } = new() { MinThreads = 2, MaxThreads = 16, MaxConnections = 20000 };

    /// <inheritdoc />
    public ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var store = context.GetRequiredService<IMessageStore>();
        var users = context.GetRequiredService<IUserDirectory>();
        var options = context.GetOptions<ImapOptions>();
        var cache = new Mime.MessageCache(options.MessageCacheBytes);
        context.Listen(new ImapConnectionHandler(context, options, store, users, cache, new RecentRegistry()));
        context.Logger.Information("IMAP service started; plain-text login without TLS {Allowed}", options.PlainConnAllowLogin ? "allowed" : "refused");
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask StopAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
