using Extensible.Hosting.Configuration;
using Extensible.Hosting.Dns;
using Extensible.Hosting.Loading;
using Extensible.Hosting.Networking;
using Extensible.Hosting.Runtime;
using Extensible.Sdk.Admin;
using Extensible.Sdk.Dns;
using Extensible.Sdk.Plugins;
using Microsoft.Extensions.Configuration;

namespace Extensible.Hosting;

/// <summary>The running server: loads every plugin folder, starts the services, and follows plugin-bin while it runs.</summary>
public sealed class MailHost : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan UnloadCheckInterval = TimeSpan.FromMilliseconds(200);
    private const int UnloadChecks = 25;

    private readonly HostServices _host;
    private readonly Dictionary<string, PluginEntry> _entries = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _unloadChecks = [];
    private Task _watcher = Task.CompletedTask;
    private Budget.HostStatistics? _statistics;

    private readonly Serilog.ILogger _log;

    private MailHost(HostServices host)
    {
        _host = host;
        _log = host.Logger.ForContext("Service", "host");
    }

    /// <summary>What the catalog found, loaded or refused.</summary>
    public IReadOnlyList<PluginDescriptor> Plugins
    {
        get
        {
            lock (_entries)
            {
                return _entries.Values.Select(e => e.Descriptor).OrderBy(d => d.Folder, StringComparer.Ordinal).ToList();
            }
        }
    }

    /// <summary>The running services.</summary>
    public IReadOnlyList<PluginRuntime> Services
    {
        get
        {
            lock (_entries)
            {
                return _entries.Values.Where(e => e.Runtime is { Started: true }).Select(e => e.Runtime!.Runtime).ToList();
            }
        }
    }

    /// <summary>The shared host services.</summary>
    public HostServices HostServices => _host;

    /// <summary>Creates the shared services (registry, DNR, certificates) for a host or an admin command.</summary>
    public static HostServices CreateHostServices(HostConfiguration configuration, ServerOptions server, Serilog.ILogger logger, bool adminMode)
    {
        Directory.CreateDirectory(server.DataDirectory);
        var registry = new ServiceRegistry();
        var dnr = configuration.Root.GetSection("Dnr").Get<DnrOptions>() ?? new DnrOptions();
        registry.Add(typeof(IDnsResolver), ServiceRegistry.HostId, new DnrResolver(dnr, logger.ForContext("Service", "dnr")));
        var certificates = new TlsCertificateProvider(server.DataDirectory, server.Name, logger.ForContext("Service", "host"));
        return new HostServices(configuration, server, logger, registry, certificates, adminMode);
    }

    /// <summary>Loads and starts every plugin; a plugin that fails is logged and left out, the rest run.</summary>
    public static async Task<MailHost> StartAsync(HostServices services, CancellationToken cancellationToken = default)
    {
        var host = new MailHost(services);
        await host._gate.WaitAsync(cancellationToken);
        try
        {
            var added = new List<PluginEntry>();
            foreach (var folder in PluginCatalog.FindFolders(services.Server.PluginDirectory!))
            {
                if (host.LoadFolder(folder) is { } entry)
                {
                    added.Add(entry);
                }
            }

            await host.StartEntriesAsync(added, cancellationToken);
            host.WriteRunFiles();
        }
        finally
        {
            host._gate.Release();
        }

        host._watcher = host.WatchAsync(host._stop.Token);
        host._statistics = new Budget.HostStatistics(services.Server.DataDirectory, () => host.Services.Select(s => s.Snapshot()).ToList(), services.Logger.ForContext("Service", "host"));
        host._statistics.Start(TimeSpan.FromSeconds(1));
        return host;
    }

    /// <summary>Loads and composes every plugin without starting it, and runs the admin command the arguments name.</summary>
    /// <returns>The command's exit code; 2 with the list of commands when none matches.</returns>
    public static async Task<int> RunAdminCommandAsync(HostServices services, IReadOnlyList<string> arguments, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var host = new MailHost(services);
        try
        {
            foreach (var folder in PluginCatalog.FindFolders(services.Server.PluginDirectory!))
            {
                host.LoadFolder(folder);
            }

            var commands = host.Snapshot().Where(e => e.Runtime is not null).SelectMany(e => e.Runtime!.Runtime.AdminCommands).ToList();
            var match = commands
                .Select(c => (Command: c, Words: c.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
                .Where(c => c.Words.Length <= arguments.Count && c.Words.Select((w, i) => string.Equals(w, arguments[i], StringComparison.OrdinalIgnoreCase)).All(x => x))
                .OrderByDescending(c => c.Words.Length)
                .FirstOrDefault();
            if (match.Command is null)
            {
                await error.WriteLineAsync($"extensible: unknown command '{string.Join(' ', arguments)}'. Commands:");
                foreach (var command in commands.OrderBy(c => c.Name, StringComparer.Ordinal))
                {
                    await error.WriteLineAsync($"  {command.Name} {command.Usage}".TrimEnd() + $"    {command.Summary}");
                }

                return 2;
            }

            var rest = arguments.Skip(match.Words.Length).ToList();
            return await match.Command.RunAsync(new AdminCommandContext(rest, input, output, error), cancellationToken);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>Loads and composes every plugin without starting it, for <c>plugins list</c>: what would run, and why not.</summary>
    public static async Task<IReadOnlyList<PluginDescriptor>> ListPluginsAsync(HostServices services)
    {
        var host = new MailHost(services);
        try
        {
            foreach (var folder in PluginCatalog.FindFolders(services.Server.PluginDirectory!))
            {
                host.LoadFolder(folder);
            }

            return host.Plugins;
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>Scans plugin-bin without composing or starting anything: manifest and SDK checks only.</summary>
    public static IReadOnlyList<PluginDescriptor> ListPlugins(string pluginDirectory)
    {
        var result = new List<PluginDescriptor>();
        foreach (var folder in PluginCatalog.FindFolders(pluginDirectory))
        {
            var (plugin, descriptor) = PluginCatalog.Load(folder);
            plugin?.Dispose();
            result.Add(descriptor);
        }

        return result;
    }

    /// <summary>Re-reads the configuration (SIGHUP): limits, budgets and log levels change without a restart.</summary>
    public async Task ReloadAsync()
    {
        await _gate.WaitAsync();
        try
        {
            var errors = _host.Configuration.Reload();
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    _log.Error("Configuration reload refused, the previous settings stay: {Error}", error);
                }

                return;
            }

            Logging.LoggerFactory.ServiceLevels.Current?.Update(_host.Configuration);
            foreach (var runtime in Services)
            {
                runtime.ApplyConfiguration();
                runtime.Context.RaiseReload();
            }

            _log.Information("Configuration reloaded");
        }
        catch (Exception ex)
        {
            _log.Error("Configuration reload failed, the previous settings stay: {Error}", ex.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops every service: consumers first, then the providers they use.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _watcher;
        }
        catch (OperationCanceledException)
        {
        }

        await _gate.WaitAsync();
        try
        {
            var running = Snapshot().Where(e => e.Runtime is not null).ToList();
            var consumers = running.Where(e => !_host.Registry.Provides(e.Descriptor.Id ?? "")).ToList();
            var providers = running.Except(consumers).Reverse().ToList();
            var timeout = TimeSpan.FromSeconds(Math.Max(1, _host.Server.ShutdownTimeout));
            await Task.WhenAll(consumers.Select(e => StopEntryAsync(e, timeout)));
            foreach (var entry in providers)
            {
                await StopEntryAsync(entry, timeout);
            }

            if (!_host.AdminMode)
            {
                RunFiles.DeleteListeners(_host.Server.DataDirectory);
            }
        }
        finally
        {
            _gate.Release();
        }

        if (_statistics is not null)
        {
            await _statistics.DisposeAsync();
            _statistics = null;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        foreach (var entry in Snapshot())
        {
            if (entry.Runtime is not null)
            {
                await entry.Runtime.Runtime.DisposeAsync();
            }

            entry.Plugin?.Dispose();
        }

        lock (_entries)
        {
            _entries.Clear();
        }

        Task[] checks;
        lock (_unloadChecks)
        {
            checks = [.. _unloadChecks];
        }

        await Task.WhenAll(checks);
        _stop.Dispose();
    }

    private PluginEntry? LoadFolder(string folder)
    {
        var (plugin, descriptor) = PluginCatalog.Load(folder);
        var entry = new PluginEntry(folder, descriptor, plugin);
        lock (_entries)
        {
            _entries[folder] = entry;
        }

        if (plugin is null)
        {
            LogRefusal(descriptor);
            return null;
        }

        PluginEntry? duplicate;
        lock (_entries)
        {
            duplicate = _entries.Values.FirstOrDefault(e => e != entry && e.Plugin is not null && e.Plugin.Id == plugin.Id);
        }

        if (duplicate is not null)
        {
            return Refuse(entry, $"service id '{plugin.Id}' is already provided by plugin folder {Path.GetFileName(duplicate.Folder)}");
        }

        var running = _host.Server.RunningServices;
        if (!_host.AdminMode && running is not null && !running.Contains(plugin.Id, StringComparer.Ordinal))
        {
            _log.Information("Plugin {Folder} ({Service} {Version}) found but not in Server:RunningServices", descriptor.Folder, plugin.Id, plugin.Version);
            return null;
        }

        if (!_host.AdminMode && !_host.Configuration.GetService(plugin.Id).Enabled)
        {
            _log.Information("Service {Service} is disabled in its config", plugin.Id);
            return null;
        }

        try
        {
            entry.Runtime = new RuntimeSlot(PluginRuntime.Compose(_host, plugin));
        }
        catch (Exception ex)
        {
            return Refuse(entry, $"its parts cannot be composed: {ex.GetBaseException().Message}");
        }

        return entry;
    }

    private PluginEntry? Refuse(PluginEntry entry, string reason)
    {
        entry.Descriptor = entry.Descriptor with { Loaded = false, Reason = reason };
        LogRefusal(entry.Descriptor);
        entry.Plugin?.Dispose();
        entry.Plugin = null;
        return null;
    }

    /// <summary>One line per refused plugin: folder, service id and version when known, and the reason.</summary>
    private void LogRefusal(PluginDescriptor descriptor)
    {
        if (descriptor.Id is null)
        {
            _log.Warning("Plugin {Folder} refused: {Reason}", descriptor.Folder, descriptor.Reason);
        }
        else
        {
            _log.Warning("Plugin {Folder} ({Plugin} {Version}, SDK {Sdk}) refused: {Reason}",
                descriptor.Folder, descriptor.Id, descriptor.Version, descriptor.BuiltAgainstSdk, descriptor.Reason);
        }
    }

    private async Task StartEntriesAsync(IReadOnlyList<PluginEntry> entries, CancellationToken cancellationToken)
    {
        // Providers first, so consumers find their contracts in StartAsync.
        var ordered = entries.Where(e => e.Runtime is not null)
            .OrderBy(e => _host.Registry.Provides(e.Plugin!.Id) ? 0 : 1)
            .ToList();
        foreach (var entry in ordered)
        {
            await StartEntryAsync(entry, cancellationToken);
        }
    }

    private async Task<bool> StartEntryAsync(PluginEntry entry, CancellationToken cancellationToken)
    {
        var runtime = entry.Runtime!.Runtime;
        try
        {
            await runtime.StartAsync(cancellationToken);
            entry.Runtime.Started = true;
            entry.Descriptor = entry.Descriptor with { Loaded = true, Reason = null };
            _log.Information("Started {Service} {Version} (SDK {Sdk}) from {Folder}", runtime.Id, runtime.Plugin.Version, runtime.Plugin.Manifest.BuiltAgainstSdk, entry.Descriptor.Folder);
            return true;
        }
        catch (Exception ex)
        {
            var reason = ex is PluginDependencyException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            _log.Error("Service {Service} from {Folder} failed to start and is left out: {Reason}", runtime.Id, entry.Descriptor.Folder, reason);
            entry.Descriptor = entry.Descriptor with { Loaded = false, Reason = "failed to start: " + reason };
            entry.WaitingForDependency = ex is PluginDependencyException;
            await runtime.StopAsync(TimeSpan.FromSeconds(2));
            await runtime.DisposeAsync();
            entry.Runtime = null;
            if (!entry.WaitingForDependency)
            {
                Unload(entry);
            }

            return false;
        }
    }

    private async Task StopEntryAsync(PluginEntry entry, TimeSpan timeout)
    {
        if (entry.Runtime is not { } slot)
        {
            return;
        }

        if (slot.Started)
        {
            await slot.Runtime.StopAsync(timeout);
            _log.Information("Stopped {Service}", slot.Runtime.Id);
        }

        await slot.Runtime.DisposeAsync();
        entry.Runtime = null;
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var pending = new Dictionary<string, FolderSignature>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(PollInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await _gate.WaitAsync(cancellationToken);
                try
                {
                    await ScanAsync(pending, cancellationToken);
                }
                finally
                {
                    _gate.Release();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _log.Error(ex, "Scanning {Directory} failed", _host.Server.PluginDirectory);
            }
        }
    }

    private async Task ScanAsync(Dictionary<string, FolderSignature> pending, CancellationToken cancellationToken)
    {
        var folders = PluginCatalog.FindFolders(_host.Server.PluginDirectory!).ToHashSet(StringComparer.Ordinal);
        var changed = false;

        foreach (var entry in Snapshot())
        {
            if (!folders.Contains(entry.Folder))
            {
                _log.Information("Plugin folder {Folder} removed: stopping {Plugin}", entry.Descriptor.Folder, entry.Descriptor.Id);
                var dependents = await RemoveAsync(entry);
                await RestartAsync(dependents, cancellationToken);
                changed = true;
            }
        }

        foreach (var folder in folders)
        {
            var signature = FolderSignature.Of(folder);
            PluginEntry? existing;
            lock (_entries)
            {
                _entries.TryGetValue(folder, out existing);
            }

            if (existing is not null && signature == existing.Signature)
            {
                pending.Remove(folder);
                continue;
            }

            // Act only once the folder looks the same on two polls in a row: a copy in progress keeps changing it. A copy
            // that stalls longer than a poll is loaded early and refused or started incomplete; its next change reloads it.
            if (!pending.TryGetValue(folder, out var seen) || seen != signature)
            {
                pending[folder] = signature;
                continue;
            }

            pending.Remove(folder);
            if (existing is not null)
            {
                _log.Information("Plugin folder {Folder} changed: replacing {Plugin} {Version}", existing.Descriptor.Folder, existing.Descriptor.Id, existing.Descriptor.Version);
                var dependents = await RemoveAsync(existing);
                await AddAsync(folder, signature, cancellationToken);
                await RestartAsync(dependents, cancellationToken);
            }
            else
            {
                _log.Information("Plugin folder {Folder} added", Path.GetFileName(folder));
                await AddAsync(folder, signature, cancellationToken);
            }

            changed = true;
        }

        if (changed)
        {
            await RetryWaitingAsync(cancellationToken);
            WriteRunFiles();
        }
    }

    private async Task AddAsync(string folder, FolderSignature signature, CancellationToken cancellationToken)
    {
        var entry = LoadFolder(folder);
        lock (_entries)
        {
            _entries[folder].Signature = signature;
        }

        if (entry is not null)
        {
            await StartEntryAsync(entry, cancellationToken);
        }
    }

    /// <summary>Stops a plugin and the plugins using it, unloads it; returns the dependents, which stay loaded for a restart.</summary>
    private async Task<List<PluginEntry>> RemoveAsync(PluginEntry entry)
    {
        var timeout = TimeSpan.FromSeconds(Math.Max(1, _host.Server.ShutdownTimeout));
        var dependents = new List<PluginEntry>();
        if (entry.Plugin is not null)
        {
            foreach (var id in _host.Registry.DependentsOf(entry.Plugin.Id))
            {
                var dependent = Snapshot().FirstOrDefault(e => e.Plugin?.Id == id && e.Runtime is not null);
                if (dependent is not null)
                {
                    _log.Information("Stopping {Plugin} while {Provider} changes", id, entry.Plugin.Id);
                    await StopEntryAsync(dependent, timeout);
                    dependents.Add(dependent);
                }
            }
        }

        await StopEntryAsync(entry, timeout);
        Unload(entry);
        lock (_entries)
        {
            _entries.Remove(entry.Folder);
        }

        return dependents;
    }

    /// <summary>Composes and starts plugins again; one that needs a contract nobody provides now waits for it.</summary>
    private async Task RestartAsync(List<PluginEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            if (entry.Plugin is null)
            {
                continue;
            }

            try
            {
                entry.Runtime = new RuntimeSlot(PluginRuntime.Compose(_host, entry.Plugin));
            }
            catch (Exception ex)
            {
                _log.Error("Restarting {Plugin} failed: {Reason}", entry.Plugin.Id, ex.GetBaseException().Message);
                continue;
            }

            await StartEntryAsync(entry, cancellationToken);
        }
    }

    private async Task RetryWaitingAsync(CancellationToken cancellationToken)
    {
        var waiting = Snapshot().Where(e => e.WaitingForDependency && e.Runtime is null && e.Plugin is not null).ToList();
        foreach (var entry in waiting)
        {
            entry.WaitingForDependency = false;
        }

        await RestartAsync(waiting, cancellationToken);
    }

    /// <summary>Unloads an entry's load context and checks in the background that it really goes away.</summary>
    private void Unload(PluginEntry entry)
    {
        if (entry.Plugin is not { } plugin)
        {
            return;
        }

        entry.Plugin = null;
        var (id, version) = (plugin.Id, plugin.Version);
        var context = plugin.Unload();
        var check = Task.Run(async () =>
        {
            for (var attempt = 0; attempt < UnloadChecks && context.IsAlive; attempt++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                await Task.Delay(UnloadCheckInterval);
            }

            if (context.IsAlive)
            {
                _log.Warning("The load context of {Plugin} {Version} is still referenced after it stopped; its memory stays in use until the server restarts", id, version);
            }
            else
            {
                _log.Debug("The load context of {Plugin} {Version} unloaded", id, version);
            }
        });
        lock (_unloadChecks)
        {
            _unloadChecks.RemoveAll(t => t.IsCompleted);
            _unloadChecks.Add(check);
        }
    }

    private List<PluginEntry> Snapshot()
    {
        lock (_entries)
        {
            return [.. _entries.Values];
        }
    }

    private void WriteRunFiles()
    {
        try
        {
            RunFiles.WriteListeners(_host.Server.DataDirectory, Services);
        }
        catch (IOException ex)
        {
            _log.Error("Cannot write the run files: {Error}", ex.Message);
        }
    }

    private sealed class PluginEntry(string folder, PluginDescriptor descriptor, LoadedPlugin? plugin)
    {
        public string Folder { get; } = folder;

        public PluginDescriptor Descriptor { get; set; } = descriptor;

        public LoadedPlugin? Plugin { get; set; } = plugin;

        public RuntimeSlot? Runtime { get; set; }

        public FolderSignature Signature { get; set; } = plugin?.Signature ?? FolderSignature.Of(folder);

        public bool WaitingForDependency { get; set; }
    }

    private sealed class RuntimeSlot(PluginRuntime runtime)
    {
        public PluginRuntime Runtime { get; } = runtime;

        public bool Started { get; set; }
    }
}
