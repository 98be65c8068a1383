using System.Reflection;
using Extensible.Sdk.Plugins;
using McMaster.NETCore.Plugins;

namespace Extensible.Hosting.Loading;

/// <summary>A plugin assembly loaded in its own load context.</summary>
public sealed class LoadedPlugin : IDisposable
{
    private readonly PluginLoader _loader;

    internal LoadedPlugin(PluginLoader loader, Assembly assembly, MailPluginAttribute manifest, string version, string folderPath, DateTime stamp)
    {
        _loader = loader;
        Assembly = assembly;
        Manifest = manifest;
        Version = version;
        FolderPath = folderPath;
        Stamp = stamp;
    }

    /// <summary>The plugin's main assembly.</summary>
    public Assembly Assembly { get; }

    /// <summary>The plugin's manifest.</summary>
    public MailPluginAttribute Manifest { get; }

    /// <summary>The service id.</summary>
    public string Id => Manifest.Id;

    /// <summary>The plugin's own version (informational version without build metadata).</summary>
    public string Version { get; }

    /// <summary>The plugin's folder.</summary>
    public string FolderPath { get; }

    /// <summary>Newest write time of the folder's files when loaded; a change means the plugin was replaced.</summary>
    public DateTime Stamp { get; }

    /// <summary>Unloads the load context once nothing references it.</summary>
    public void Dispose() => _loader.Dispose();
}
