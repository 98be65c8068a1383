using System.Composition;
using Extensible.Sdk.Plugins;

namespace Extensible.Processing;

/// <summary>The Processing service: no listeners; a queue writer, a scheduler and delivery workers.</summary>
[Export(typeof(IMailPlugin))]
[method: ImportingConstructor]
public sealed class ProcessingPlugin(ProcessingEngine engine) : IMailPlugin
{
    private IDisposable? _reload;

    public ThreadBudget DefaultBudget { get; } = new() { MinThreads = 3, MaxThreads = 8, MaxConnections = 0 };

    public async ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken)
    {
        await engine.StartAsync(cancellationToken);
        _reload = context.OnReload(engine.Reload);
    }

    public async ValueTask StopAsync(CancellationToken cancellationToken)
    {
        _reload?.Dispose();
        await engine.StopAsync();
    }
}
