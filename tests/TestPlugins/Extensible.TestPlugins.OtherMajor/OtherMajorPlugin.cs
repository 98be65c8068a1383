using System.Composition;
using Extensible.Sdk.Plugins;

[assembly: MailPlugin("othermajor", builtAgainstSdk: "2.0.0")]

namespace Extensible.TestPlugins.OtherMajor;

/// <summary>Claims to be built against another SDK major; the host must refuse it.</summary>
[Export(typeof(IMailPlugin))]
public sealed class OtherMajorPlugin : IMailPlugin
{
    public ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a refused plugin must never start");

    public ValueTask StopAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
