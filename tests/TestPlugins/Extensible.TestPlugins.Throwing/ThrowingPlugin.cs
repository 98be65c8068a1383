using System.Composition;
using Extensible.Sdk.Plugins;

[assembly: MailPlugin("throwing")]

namespace Extensible.TestPlugins.Throwing;

/// <summary>Fails in <see cref="StartAsync"/>; the host must report it and run the other services.</summary>
[Export(typeof(IMailPlugin))]
public sealed class ThrowingPlugin : IMailPlugin
{
    public ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the throwing plugin refuses to start");

    public ValueTask StopAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
