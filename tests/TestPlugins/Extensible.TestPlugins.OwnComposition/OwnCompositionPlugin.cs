using System.Composition;
using Extensible.Sdk.Plugins;

[assembly: MailPlugin("own-composition")]

namespace Extensible.TestPlugins.OwnComposition;

/// <summary>Carries its own System.Composition.AttributedModel.dll; found only because the host shares ExportAttribute.</summary>
[Export(typeof(IMailPlugin))]
public sealed class OwnCompositionPlugin : IMailPlugin
{
    public ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken)
    {
        context.Logger.Information("own-composition started; ExportAttribute comes from {Location}",
            typeof(ExportAttribute).Assembly.IsDynamic ? "(dynamic)" : System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(typeof(ExportAttribute).Assembly)?.Name);
        return ValueTask.CompletedTask;
    }

    public ValueTask StopAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
