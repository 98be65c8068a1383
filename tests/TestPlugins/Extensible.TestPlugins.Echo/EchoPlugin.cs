using System.Composition;
using Extensible.Sdk.Plugins;

[assembly: MailPlugin("echo", DisplayName = "Echo (test only)")]

namespace Extensible.TestPlugins.Echo;

/// <summary>A line echo service that proves the host's whole path: loading, listeners, TLS, budget, refusals.</summary>
[Export(typeof(IMailPlugin))]
public sealed class EchoPlugin : IMailPlugin
{
    public ThreadBudget DefaultBudget => new() { MinThreads = 1, MaxThreads = 4, MaxConnections = 100 };

    public IReadOnlyList<ListenerDefaults> DefaultListeners => [new("echo", "127.0.0.1:2700"), new("echos", "127.0.0.1:2701", ImplicitTls: true)];

    public ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken)
    {
        context.Listen(new EchoHandler(context.GetOptions<EchoOptions>()));
        context.Logger.Information("Echo plugin started");
        return ValueTask.CompletedTask;
    }

    public ValueTask StopAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
