using System.Runtime.CompilerServices;
using Extensible.Host.Tests.Support;
using Extensible.Hosting.Loading;

namespace Extensible.Host.Tests.Loading;

/// <summary>Why some plugins stay in memory after removal: .NET's TypeDescriptor keeps every type it was asked about.</summary>
public sealed class UnloadProbeTests
{
    [Fact]
    public void ATypeDescriptorLookupOfAPluginTypePinsItsLoadContext()
    {
        var untouched = LoadAndUnload(describe: false);
        var described = LoadAndUnload(describe: true);

        for (var attempt = 0; attempt < 50 && untouched.IsAlive; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(untouched.IsAlive);
        Assert.True(described.IsAlive, "TypeDescriptor no longer pins plugin types: drop the caveat in docs/plugins.md and LoadedPlugin.Unload");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LoadAndUnload(bool describe)
    {
        var (plugin, _) = PluginCatalog.Load(TestPlugins.Folder("Json13"));
        var type = plugin!.Assembly.GetType("Extensible.TestPlugins.Json.JsonPlugin", throwOnError: true)!;
        if (describe)
        {
            System.ComponentModel.TypeDescriptor.GetConverter(type);
        }

        return plugin.Unload();
    }
}
