using System.Composition;
using System.Reflection;
using Extensible.Sdk.Plugins;
using McMaster.NETCore.Plugins;

namespace Extensible.Hosting.Loading;

/// <summary>Finds plugin folders and loads each in its own load context, sharing the SDK and its companions with the host.</summary>
public static class PluginCatalog
{
    /// <summary>Types whose assemblies have exactly one copy, the host's; exports are only found when ExportAttribute is shared.</summary>
    internal static readonly Type[] SharedTypes =
    [
        typeof(IMailPlugin),
        typeof(ExportAttribute),
        typeof(Serilog.ILogger),
        typeof(MimeKit.MimeMessage),
    ];

    /// <summary>The plugin folders under <paramref name="pluginDirectory"/>, sorted by name.</summary>
    public static IReadOnlyList<string> FindFolders(string pluginDirectory) =>
        Directory.Exists(pluginDirectory)
            ? Directory.EnumerateDirectories(pluginDirectory).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Newest write time of any file in a plugin folder.</summary>
    public static DateTime Stamp(string folder)
    {
        try
        {
            return Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Select(File.GetLastWriteTimeUtc)
                .DefaultIfEmpty(DateTime.MinValue)
                .Max();
        }
        catch (IOException)
        {
            return DateTime.MinValue;
        }
    }

    /// <summary>Loads one plugin folder; returns the plugin, or null with the reason in the descriptor.</summary>
    public static (LoadedPlugin? Plugin, PluginDescriptor Descriptor) Load(string folder)
    {
        var name = Path.GetFileName(folder);
        PluginDescriptor Refuse(string reason, MailPluginAttribute? manifest = null, string? version = null) =>
            new(name, manifest?.Id, version, manifest?.BuiltAgainstSdk, manifest?.DisplayName, false, reason);

        string[] depsFiles;
        try
        {
            depsFiles = Directory.GetFiles(folder, "*.deps.json");
        }
        catch (IOException ex)
        {
            return (null, Refuse($"its folder cannot be read: {ex.Message}"));
        }

        if (depsFiles.Length != 1)
        {
            return (null, Refuse(depsFiles.Length == 0
                ? "the folder holds no *.deps.json naming the plugin's assembly"
                : "the folder holds more than one *.deps.json"));
        }

        var assemblyPath = depsFiles[0][..^".deps.json".Length] + ".dll";
        if (!File.Exists(assemblyPath))
        {
            return (null, Refuse($"its assembly {Path.GetFileName(assemblyPath)} is missing"));
        }

        var stamp = Stamp(folder);
        PluginLoader? loader = null;
        try
        {
            loader = PluginLoader.CreateFromAssemblyFile(assemblyPath, isUnloadable: true, SharedTypes, config =>
            {
                config.PreferSharedTypes = true;
                config.LoadInMemory = true;
                foreach (var reference in typeof(MimeKit.MimeMessage).Assembly.GetReferencedAssemblies())
                {
                    config.SharedAssemblies.Add(reference);
                }
            });
            var assembly = loader.LoadDefaultAssembly();
            var manifest = assembly.GetCustomAttribute<MailPluginAttribute>();
            if (manifest is null)
            {
                loader.Dispose();
                return (null, Refuse("its assembly has no [assembly: MailPlugin(...)] manifest"));
            }

            var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
            var refusal = SdkCompatibility.Check(manifest.BuiltAgainstSdk);
            if (refusal is not null)
            {
                loader.Dispose();
                return (null, Refuse(refusal, manifest, version));
            }

            var plugin = new LoadedPlugin(loader, assembly, manifest, version, folder, stamp);
            return (plugin, new PluginDescriptor(name, manifest.Id, version, manifest.BuiltAgainstSdk, manifest.DisplayName, true, null));
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or FileNotFoundException or IOException or ReflectionTypeLoadException or InvalidOperationException)
        {
            loader?.Dispose();
            return (null, Refuse($"its assembly cannot be loaded: {ex.Message}"));
        }
    }
}
