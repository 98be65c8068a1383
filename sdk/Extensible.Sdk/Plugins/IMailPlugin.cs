namespace Extensible.Sdk.Plugins;

/// <summary>The root part a plugin exports with <c>[Export(typeof(IMailPlugin))]</c>; the host drives its lifetime.</summary>
public interface IMailPlugin
{
    /// <summary>Thread budget used when the config names none for this service.</summary>
    ThreadBudget DefaultBudget => ThreadBudget.Default;

    /// <summary>Listeners bound when the config lists none for this service; empty for services without a port.</summary>
    IReadOnlyList<ListenerDefaults> DefaultListeners => [];

    /// <summary>Registers listeners and workers; returns promptly, long loops belong in <see cref="PluginContext.StartWorker"/>.</summary>
    ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken);

    /// <summary>Stops taking new work; the host drains open connections and workers afterwards.</summary>
    ValueTask StopAsync(CancellationToken cancellationToken);
}
