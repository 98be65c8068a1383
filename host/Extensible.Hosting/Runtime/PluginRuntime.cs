using System.Collections.Concurrent;
using System.Composition.Hosting;
using Extensible.Hosting.Budget;
using Extensible.Hosting.Configuration;
using Extensible.Hosting.Loading;
using Extensible.Hosting.Networking;
using Extensible.Sdk.Connections;
using Extensible.Sdk.Plugins;

namespace Extensible.Hosting.Runtime;

/// <summary>One plugin's life in the host: its MEF container, the contracts it provides, its thread budget, listeners, workers and connections.</summary>
public sealed class PluginRuntime : IAsyncDisposable
{
    private static readonly Type[] ContractTypes = typeof(IMailPlugin).Assembly.GetExportedTypes()
        .Where(t => t.IsInterface && t != typeof(IMailPlugin))
        .ToArray();

    private readonly HostServices _host;
    private readonly List<MailConnectionHandler> _handlers = [];
    private readonly List<SocketListener> _listeners = [];
    private readonly List<Task> _workers = [];
    private readonly ConcurrentDictionary<SocketConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private CompositionHost? _container;
    private ServiceScheduler? _scheduler;
    private Timer? _idleSweep;

    private PluginRuntime(HostServices host, LoadedPlugin plugin)
    {
        _host = host;
        Plugin = plugin;
        Options = host.Configuration.GetService(plugin.Id);
        Context = new HostPluginContext(host, this, plugin.Id, plugin.Version);
        Logger = Context.Logger;
        Access = new ServiceAccess(Logger);
    }

    /// <summary>The loaded plugin.</summary>
    public LoadedPlugin Plugin { get; }

    /// <summary>The service id.</summary>
    public string Id => Plugin.Id;

    internal HostPluginContext Context { get; }

    /// <summary>The service's logger.</summary>
    public Serilog.ILogger Logger { get; }

    /// <summary>The service's config section.</summary>
    public ServiceOptions Options { get; private set; }

    /// <summary>The plugin's root part.</summary>
    public IMailPlugin Root { get; private set; } = null!;

    /// <summary>The thread budget in force: the plugin's defaults overridden by config.</summary>
    public ThreadBudget Budget { get; private set; } = ThreadBudget.Default;

    /// <summary>The error limits in force.</summary>
    public ServiceLimits Limits { get; private set; } = new();

    /// <summary>What the service's listeners share at admission: the connection cap, refusal counters and login penalties.</summary>
    internal ServiceAccess Access { get; }

    /// <summary>The service's scheduler, once started.</summary>
    public ServiceScheduler? Scheduler => _scheduler;

    /// <summary>Cancelled when the service stops.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>The bound listeners.</summary>
    public IReadOnlyList<ListenerInfo> Listeners => _listeners;

    /// <summary>Connections open now.</summary>
    public int OpenConnections => _connections.Count;

    /// <summary>Admin commands the plugin exports.</summary>
    public IReadOnlyList<Sdk.Admin.IAdminCommand> AdminCommands { get; private set; } = [];

    /// <summary>Composes the plugin's parts and registers the contracts it provides; throws when it exports no usable root.</summary>
    public static PluginRuntime Compose(HostServices host, LoadedPlugin plugin)
    {
        var runtime = new PluginRuntime(host, plugin);
        var container = new ContainerConfiguration()
            .WithAssembly(plugin.Assembly)
            .WithExport<PluginContext>(runtime.Context)
            .CreateContainer();
        runtime._container = container;
        var roots = container.GetExports<IMailPlugin>().ToList();
        if (roots.Count != 1)
        {
            container.Dispose();
            throw new InvalidOperationException(roots.Count == 0
                ? "it exports no IMailPlugin part ([Export(typeof(IMailPlugin))])"
                : "it exports more than one IMailPlugin part");
        }

        runtime.Root = roots[0];
        var admin = new List<Sdk.Admin.IAdminCommand>();
        foreach (var contract in ContractTypes)
        {
            foreach (var instance in container.GetExports(contract))
            {
                if (instance is Sdk.Admin.IAdminCommand command)
                {
                    admin.Add(command);
                }

                host.Registry.Add(contract, plugin.Id, instance);
            }
        }

        runtime.AdminCommands = admin;
        runtime.ApplyConfiguration();
        return runtime;
    }

    /// <summary>Re-reads the service's config section: budget and limits (listeners keep their binding).</summary>
    public void ApplyConfiguration()
    {
        Options = _host.Configuration.GetService(Id);
        var defaults = Root.DefaultBudget;
        Budget = defaults with
        {
            MinThreads = Options.Threads.MinThreads ?? defaults.MinThreads,
            MaxThreads = Options.Threads.MaxThreads ?? defaults.MaxThreads,
            MaxConnections = Options.Threads.MaxConnections ?? defaults.MaxConnections,
        };
        Limits = new ServiceLimits { MaxErrors = Options.MaxErrors, MaxAuthErrors = Options.MaxAuthErrors };
        Access.MaxConnections = Budget.MaxConnections;
        Access.MaxAuthErrors = Limits.MaxAuthErrors;
        _scheduler?.Resize(Budget.MinThreads, Budget.MaxThreads);
        foreach (var listener in _listeners)
        {
            var current = Options.Listeners?.FirstOrDefault(l => string.Equals(l.Name, listener.Name, StringComparison.Ordinal));
            listener.Admission.Policy = BuildPolicy(current ?? listener.Options, current is null && Options.Listeners is not null);
        }
    }

    /// <summary>The service's budget gauges and refusal counters now.</summary>
    public ServiceSnapshot Snapshot() => new(
        Id,
        Budget.MinThreads,
        Budget.MaxThreads,
        Budget.MaxConnections,
        _scheduler?.ThreadCount ?? 0,
        _scheduler?.BusyThreads ?? 0,
        _scheduler?.QueueLength ?? 0,
        _connections.Count,
        Enum.GetValues<RefusalReason>().ToDictionary(r => r.ToString(), r => Access.Refusals(r), StringComparer.Ordinal),
        Access.ProxyFailures);

    /// <summary>The access rules and limits of one listener from the current config: its own, the service's and the global rules.</summary>
    /// <param name="listener">The listener's config entry.</param>
    /// <param name="removed">True when the config no longer lists the listener: it keeps only the service's and global rules.</param>
    private AccessPolicy BuildPolicy(ListenerOptions listener, bool removed = false)
    {
        void Invalid(string problem) => Logger.Warning("Ignoring an access rule of {Service}: {Problem}", Id, problem);
        return new AccessPolicy(
            removed ? [] : AccessRule.Compile(listener.Rules, Invalid),
            AccessRule.Compile(Options.Rules, Invalid),
            AccessRule.Compile(_host.Configuration.GetGlobalRules(), Invalid),
            removed ? new LimitOptions() : listener);
    }

    /// <summary>Starts the plugin on its own threads, then binds the listeners it asked for.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _scheduler = new ServiceScheduler(Id, Budget.MinThreads, Budget.MaxThreads);
        await RunAsync(ct => Root.StartAsync(Context, ct).AsTask(), cancellationToken);
        if (_handlers.Count == 0)
        {
            return;
        }

        var handler = _handlers[0];
        var listenerOptions = Options.Listeners ?? Root.DefaultListeners.Select(d => new ListenerOptions
        {
            Name = d.Name,
            Address = _host.Server.DefaultListenerAddress ?? d.Address,
            ImplicitTls = d.ImplicitTls,
        }).ToList();
        try
        {
            foreach (var options in listenerOptions)
            {
                var certificate = _host.Certificates.Get(options.Certificate ?? _host.Server.Tls.Certificate, options.PrivateKey ?? (options.Certificate is null ? _host.Server.Tls.PrivateKey : null));
                var listener = new SocketListener(this, options, handler, certificate, BuildPolicy(options));
                _listeners.Add(listener);
                Logger.Information("{Service} listening on {Listener} {Address}{Tls}", Id, options.Name, listener.BoundEndPoint, options.ImplicitTls ? " (TLS)" : "");
            }
        }
        catch
        {
            foreach (var listener in _listeners)
            {
                await listener.DisposeAsync();
            }

            _listeners.Clear();
            throw;
        }

        foreach (var listener in _listeners)
        {
            listener.Start();
        }

        _idleSweep = new Timer(_ => SweepIdle(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    internal void AddHandler(MailConnectionHandler handler) => _handlers.Add(handler);

    internal void StartWorker(string name, Func<CancellationToken, Task> loop)
    {
        var task = RunAsync(async ct =>
        {
            try
            {
                await loop(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                Logger.Error(ex, "Worker {Worker} of {Service} failed", name, Id);
            }
        }, _stopping.Token);
        lock (_workers)
        {
            _workers.Add(task);
        }
    }

    internal Task RunAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        if (_scheduler is null)
        {
            return work(cancellationToken);
        }

        return _scheduler.RunAsync(() => work(cancellationToken), CancellationToken.None);
    }

    internal async Task RunConnectionAsync(SocketConnection connection, MailConnectionHandler handler, int idleTimeoutSeconds)
    {
        _connections[connection] = 0;
        connection.IdleTimeoutSeconds = idleTimeoutSeconds;
        try
        {
            await RunHandlerAsync(connection, handler);
        }
        finally
        {
            // Only now: shutdown waits for this set to empty, and the final line must be out before the process exits.
            _connections.TryRemove(connection, out _);
        }
    }

    private async Task RunHandlerAsync(SocketConnection connection, MailConnectionHandler handler)
    {
        try
        {
            await _scheduler!.RunAsync(async () =>
            {
                if (connection.Listener.ImplicitTls)
                {
                    await connection.StartTlsAsync(connection.ConnectionClosed);
                }

                await handler.OnConnectedAsync(connection);
            }, CancellationToken.None);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            connection.Logger.Debug("Connection ended: {Reason}", ex.Message);
        }
        catch (Exception ex)
        {
            connection.Logger.Error(ex, "Handler of {Service} failed", Id);
        }

        if (connection.CloseReason is { } reason)
        {
            var line = handler.FormatRefusal(reason, Context.ServerName);
            if (line is not null)
            {
                await connection.WriteFinalLineAsync(line);
            }
        }
    }

    /// <summary>Stops accepting, stops the plugin, lets sessions finish up to <paramref name="drainTimeout"/>, then closes them.</summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        if (_idleSweep is not null)
        {
            await _idleSweep.DisposeAsync();
        }

        foreach (var listener in _listeners)
        {
            await listener.StopAcceptingAsync();
        }

        try
        {
            using var timeout = new CancellationTokenSource(drainTimeout);
            await RunAsync(ct => Root.StopAsync(ct).AsTask(), timeout.Token).WaitAsync(drainTimeout);
        }
        catch (Exception ex)
        {
            Logger.Error(ex, "{Service} failed to stop cleanly", Id);
        }

        var deadline = DateTime.UtcNow + drainTimeout;
        while (!_connections.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        foreach (var connection in _connections.Keys)
        {
            connection.Close(RefusalReason.ShuttingDown);
        }

        await _stopping.CancelAsync();
        Task[] workers;
        lock (_workers)
        {
            workers = [.. _workers];
        }

        try
        {
            await Task.WhenAll(workers).WaitAsync(drainTimeout);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            Logger.Warning("{Service} workers did not stop within {Timeout}", Id, drainTimeout);
        }

        var closeDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (!_connections.IsEmpty && DateTime.UtcNow < closeDeadline)
        {
            await Task.Delay(20);
        }
    }

    /// <summary>Disposes the container and the scheduler; the plugin's contracts leave the registry.</summary>
    public async ValueTask DisposeAsync()
    {
        _host.Registry.RemoveProvider(Id);
        _host.Registry.ForgetConsumer(Id);
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        _container?.Dispose();
        Context.Meter.Dispose();
        _scheduler?.Dispose();
        _stopping.Dispose();
    }

    private void SweepIdle()
    {
        var now = Environment.TickCount64;
        foreach (var connection in _connections.Keys)
        {
            var seconds = connection.IdleTimeoutSeconds;
            if (seconds > 0 && connection.CloseReason is null && now - connection.LastActivityTicks > seconds * 1000L)
            {
                connection.Logger.Information("Closing idle connection after {Seconds} s", seconds);
                connection.Close(RefusalReason.IdleTimeout);
            }
        }
    }
}
