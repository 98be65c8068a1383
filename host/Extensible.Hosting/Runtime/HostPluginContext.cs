using System.Diagnostics.Metrics;
using Extensible.Sdk.Connections;
using Extensible.Sdk.Plugins;
using Microsoft.Extensions.Configuration;

namespace Extensible.Hosting.Runtime;

/// <summary>The host's <see cref="PluginContext"/> for one plugin.</summary>
internal sealed class HostPluginContext : PluginContext
{
    private readonly HostServices _host;
    private readonly PluginRuntime _runtime;
    private readonly List<Action> _reloadCallbacks = [];
    private readonly Lock _lock = new();

    public HostPluginContext(HostServices host, PluginRuntime runtime, string pluginId, string version)
    {
        _host = host;
        _runtime = runtime;
        PluginId = pluginId;
        Logger = host.Logger.ForContext("Service", pluginId);
        Meter = new Meter("Extensible." + pluginId, version);
    }

    public override string PluginId { get; }

    public override string ServerName => _host.Server.Name;

    public override string PrimaryDomain => _host.Server.PrimaryDomain;

    public override string DataDirectory => _host.Server.DataDirectory;

    public override string PluginDataDirectory
    {
        get
        {
            var path = Path.Combine(_host.Server.DataDirectory, PluginId);
            Directory.CreateDirectory(path);
            return path;
        }
    }

    public override Serilog.ILogger Logger { get; }

    public override Meter Meter { get; }

    public override ServiceLimits Limits => _runtime.Limits;

    public override TOptions GetOptions<TOptions>() =>
        _host.Configuration.ServiceSection(PluginId).GetSection("Options").Get<TOptions>() ?? new TOptions();

    /// <summary>Binds the <c>Options</c> of the named listener.</summary>
    public TOptions BindListenerOptions<TOptions>(string listenerName) where TOptions : class, new()
    {
        foreach (var listener in _host.Configuration.ServiceSection(PluginId).GetSection("Listeners").GetChildren())
        {
            if (string.Equals(listener["Name"], listenerName, StringComparison.Ordinal))
            {
                return listener.GetSection("Options").Get<TOptions>() ?? new TOptions();
            }
        }

        return new TOptions();
    }

    public override IDisposable OnReload(Action callback)
    {
        lock (_lock)
        {
            _reloadCallbacks.Add(callback);
        }

        return new Unregister(this, callback);
    }

    /// <summary>Runs the reload callbacks; a failing one is logged.</summary>
    public void RaiseReload()
    {
        Action[] callbacks;
        lock (_lock)
        {
            callbacks = [.. _reloadCallbacks];
        }

        foreach (var callback in callbacks)
        {
            try
            {
                callback();
            }
            catch (Exception ex)
            {
                Logger.Error(ex, "A reload callback of {Service} failed", PluginId);
            }
        }
    }

    public override T? GetService<T>() where T : class => _host.Registry.Get<T>(PluginId);

    public override IReadOnlyList<T> GetServices<T>() => _host.Registry.GetAll<T>(PluginId);

    public override void Listen(MailConnectionHandler handler)
    {
        EnsureServing();
        _runtime.AddHandler(handler);
    }

    public override void StartWorker(string name, Func<CancellationToken, Task> loop)
    {
        EnsureServing();
        _runtime.StartWorker(name, loop);
    }

    public override Task RunAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken = default) =>
        _runtime.RunAsync(work, cancellationToken);

    private void EnsureServing()
    {
        if (_host.AdminMode)
        {
            throw new InvalidOperationException("listeners and workers are not available while running an admin command");
        }
    }

    private sealed class Unregister(HostPluginContext owner, Action callback) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._reloadCallbacks.Remove(callback);
            }
        }
    }
}
