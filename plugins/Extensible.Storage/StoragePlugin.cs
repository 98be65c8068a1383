using System.Composition;
using Extensible.Sdk.Plugins;

namespace Extensible.Storage;

/// <summary>The Storage plugin's root: no listeners; opens the store (running the start-up check) when the server starts.</summary>
[Export(typeof(IMailPlugin))]
[method: ImportingConstructor]
public sealed class StoragePlugin(StorageEngine engine) : IMailPlugin
{
    /// <inheritdoc />
    public ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken)
    {
        engine.EnsureOpen();
        context.Logger.Information("Storage open at {Directory}", engine.RootDirectory);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask StopAsync(CancellationToken cancellationToken)
    {
        engine.Dispose();
        return ValueTask.CompletedTask;
    }
}
