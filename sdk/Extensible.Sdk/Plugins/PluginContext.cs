using System.Diagnostics.Metrics;
using Extensible.Sdk.Connections;

namespace Extensible.Sdk.Plugins;

/// <summary>Host services for one plugin; exported into the plugin's MEF container and passed to <see cref="IMailPlugin.StartAsync"/>.</summary>
public abstract class PluginContext
{
    /// <summary>The service id from the plugin's manifest.</summary>
    public abstract string PluginId { get; }

    /// <summary>The server's own host name (AXIGEN's servername), used in greetings and Received headers.</summary>
    public abstract string ServerName { get; }

    /// <summary>The primary local domain (AXIGEN's primaryDomain).</summary>
    public abstract string PrimaryDomain { get; }

    /// <summary>The server's data directory; a plugin keeps its own files under <see cref="PluginDataDirectory"/>.</summary>
    public abstract string DataDirectory { get; }

    /// <summary>A directory owned by this plugin inside the data directory; created on first use.</summary>
    public abstract string PluginDataDirectory { get; }

    /// <summary>Logger enriched with the service id.</summary>
    public abstract Serilog.ILogger Logger { get; }

    /// <summary>Meter named <c>Extensible.&lt;id&gt;</c> for the plugin's counters and gauges; Reporting reads it.</summary>
    public abstract Meter Meter { get; }

    /// <summary>Current error limits for the service; read it each time, it changes on reload.</summary>
    public abstract ServiceLimits Limits { get; }

    /// <summary>Binds the service's <c>Options</c> config section onto a new <typeparamref name="TOptions"/>; defaults stay where config is silent.</summary>
    public abstract TOptions GetOptions<TOptions>() where TOptions : class, new();

    /// <summary>Registers a callback run after the config is reloaded (SIGHUP); dispose the result to unregister.</summary>
    public abstract IDisposable OnReload(Action callback);

    /// <summary>The current provider of an SDK contract from any running plugin or the host, or null when none runs.</summary>
    public abstract T? GetService<T>() where T : class;

    /// <summary>Every current provider of an SDK contract (filters, hooks, admin commands), in no particular order.</summary>
    public abstract IReadOnlyList<T> GetServices<T>() where T : class;

    /// <summary>The current provider of an SDK contract; throws <see cref="PluginDependencyException"/> naming the contract when none runs.</summary>
    public T GetRequiredService<T>() where T : class =>
        GetService<T>() ?? throw new PluginDependencyException(PluginId, typeof(T));

    /// <summary>Binds every configured listener of this service (or <see cref="IMailPlugin.DefaultListeners"/>) to <paramref name="handler"/>.</summary>
    public abstract void Listen(MailConnectionHandler handler);

    /// <summary>Runs a long-lived loop on the service's worker threads until the plugin stops; the token is cancelled on stop.</summary>
    public abstract void StartWorker(string name, Func<CancellationToken, Task> loop);

    /// <summary>Runs a work item on the service's worker threads, within its thread budget.</summary>
    public abstract Task RunAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken = default);
}
