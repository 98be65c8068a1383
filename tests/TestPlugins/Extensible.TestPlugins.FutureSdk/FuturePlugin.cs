using System.Composition;
using Extensible.Sdk.Plugins;

[assembly: MailPlugin("future", builtAgainstSdk: "1.99.0")]

namespace Extensible.TestPlugins.FutureSdk;

/// <summary>Claims to be built against a newer SDK minor; the host must refuse it.</summary>
[Export(typeof(IMailPlugin))]
public sealed class FuturePlugin : IMailPlugin
{
    public ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a refused plugin must never start");

    public ValueTask StopAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
