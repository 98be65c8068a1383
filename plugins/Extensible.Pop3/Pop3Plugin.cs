using System.Composition;
using Extensible.Sdk.Plugins;
using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;

namespace Extensible.Pop3;

/// <summary>The POP3 service (AXIGEN 3.2.4): a plain listener offering STLS and an implicit-TLS listener.</summary>
[Export(typeof(IMailPlugin))]
public sealed class Pop3Plugin : IMailPlugin
{
    private readonly Pop3LockTable _locks = new();
    private readonly Pop3LoginHistory _logins = new(TimeProvider.System);
    private Pop3Services? _services;
    private IDisposable? _reloadRegistration;

    /// <inheritdoc />
    public IReadOnlyList<ListenerDefaults> DefaultListeners { get; } =
    [
        new("pop3", "127.0.0.1:2110"),
        new("pop3s", "127.0.0.1:2995", ImplicitTls: true),
    ];

    /// <inheritdoc />
    public ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var store = context.GetRequiredService<IMessageStore>();
        var users = context.GetRequiredService<IUserDirectory>();
        _services = new Pop3Services(store, users, context.GetOptions<Pop3Options>(), context.ServerName, _locks, _logins);
        _reloadRegistration = context.OnReload(() =>
        {
            _services = _services with { Options = context.GetOptions<Pop3Options>() };
            context.Logger.Information("POP3 options reloaded");
        });
        context.Listen(new Pop3ConnectionHandler(() => _services!));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask StopAsync(CancellationToken cancellationToken)
    {
        _reloadRegistration?.Dispose();
        _reloadRegistration = null;
        return ValueTask.CompletedTask;
    }
}
