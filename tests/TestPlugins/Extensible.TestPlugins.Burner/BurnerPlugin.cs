using System.Composition;
using Extensible.Sdk.Plugins;

[assembly: MailPlugin("burner", DisplayName = "Burner (test only)")]

namespace Extensible.TestPlugins.Burner;

/// <summary>A second line service for budget and penalty tests: burns CPU on request and reports failed logins.</summary>
[Export(typeof(IMailPlugin))]
public sealed class BurnerPlugin : IMailPlugin
{
    public ThreadBudget DefaultBudget => new() { MinThreads = 1, MaxThreads = 2, MaxConnections = 100 };

    public IReadOnlyList<ListenerDefaults> DefaultListeners => [new("burner", "127.0.0.1:2710")];

    public ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken)
    {
        context.Listen(new BurnerHandler());
        return ValueTask.CompletedTask;
    }

    public ValueTask StopAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
