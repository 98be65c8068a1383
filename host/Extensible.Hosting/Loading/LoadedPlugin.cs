using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Extensible.Sdk.Plugins;
using McMaster.NETCore.Plugins;

namespace Extensible.Hosting.Loading;

/// <summary>A plugin assembly loaded in its own collectible load context.</summary>
public sealed class LoadedPlugin : IDisposable
{
    private PluginLoader? _loader;

    internal LoadedPlugin(PluginLoader loader, Assembly assembly, MailPluginAttribute manifest, string version, string folderPath, FolderSignature signature)
    {
        _loader = loader;
        Assembly = assembly;
        Manifest = manifest;
        Version = version;
        FolderPath = folderPath;
        Signature = signature;
    }

    /// <summary>The plugin's main assembly.</summary>
    public Assembly Assembly { get; private set; }

    /// <summary>The plugin's manifest.</summary>
    public MailPluginAttribute Manifest { get; }

    /// <summary>The service id.</summary>
    public string Id => Manifest.Id;

    /// <summary>The plugin's own version (informational version without build metadata).</summary>
    public string Version { get; }

    /// <summary>The plugin's folder.</summary>
    public string FolderPath { get; }

    /// <summary>The folder's signature when loaded; a different one later means the plugin was replaced.</summary>
    public FolderSignature Signature { get; }

    /// <summary>Starts unloading the load context and returns a weak reference that dies once nothing holds the plugin's types.</summary>
    /// <remarks>
    /// Call only after the plugin's container, threads and handlers are gone; anything still holding a plugin type keeps it
    /// loaded. .NET's TypeDescriptor caches every type it is asked about for the life of the process (Newtonsoft.Json asks
    /// about each type it serializes), so such a plugin stays in memory until restart; the host logs a warning then.
    /// </remarks>
    public WeakReference Unload()
    {
        var context = TrackContext(Assembly);
        Dispose();
        return context;
    }

    /// <summary>Unloads the load context once nothing references it.</summary>
    public void Dispose()
    {
        _loader?.Dispose();
        _loader = null;
        Assembly = null!;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference TrackContext(Assembly? assembly) =>
        new(assembly is null ? null : AssemblyLoadContext.GetLoadContext(assembly));
}
