using System.Composition;
using System.Reflection;
using Extensible.Sdk.Plugins;
using McMaster.NETCore.Plugins;

namespace Extensible.Hosting.Loading;

/// <summary>Finds plugin folders and loads each in its own load context, sharing the SDK and its companions with the host.</summary>
public static class PluginCatalog
{
    /// <summary>Types whose assemblies (and their dependencies) have exactly one copy, the host's.</summary>
    /// <remarks>
    /// The SDK brings Serilog (the logging abstraction) and MimeKit along as its dependencies. Exports are only found when
    /// <see cref="ExportAttribute"/> is shared: the host's MEF container looks for its own attribute type.
    /// </remarks>
    internal static readonly Type[] SharedTypes =
    [
        typeof(IMailPlugin),
        typeof(ExportAttribute),
        typeof(Serilog.ILogger),
        typeof(MimeKit.MimeMessage),
    ];

    /// <summary>The plugin folders under <paramref name="pluginDirectory"/>, sorted by name; hidden folders (<c>.name</c>) are skipped.</summary>
    public static IReadOnlyList<string> FindFolders(string pluginDirectory)
    {
        try
        {
            return Directory.Exists(pluginDirectory)
                ? Directory.EnumerateDirectories(pluginDirectory)
                    .Where(d => !Path.GetFileName(d).StartsWith('.'))
                    .Order(StringComparer.Ordinal)
                    .ToList()
                : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Loads one plugin folder; returns the plugin, or null with the reason in the descriptor.</summary>
    public static (LoadedPlugin? Plugin, PluginDescriptor Descriptor) Load(string folder) => Load(folder, SharedTypes);

    /// <summary>Loads one plugin folder sharing only <paramref name="sharedTypes"/>' assemblies with the host (tests vary it).</summary>
    internal static (LoadedPlugin? Plugin, PluginDescriptor Descriptor) Load(string folder, Type[] sharedTypes)
    {
        var name = Path.GetFileName(folder);
        PluginDescriptor Refuse(string reason, MailPluginAttribute? manifest = null, string? version = null) =>
            new(name, manifest?.Id, version, manifest?.BuiltAgainstSdk, manifest?.DisplayName, false, reason);

        string[] depsFiles;
        try
        {
            depsFiles = Directory.GetFiles(folder, "*.deps.json");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, Refuse($"its folder cannot be read: {ex.Message}"));
        }

        if (depsFiles.Length != 1)
        {
            return (null, Refuse(depsFiles.Length == 0
                ? "the folder holds no *.deps.json naming the plugin's assembly (build it with EnableDynamicLoading)"
                : "the folder holds more than one *.deps.json, so its main assembly is ambiguous"));
        }

        var assemblyPath = depsFiles[0][..^".deps.json".Length] + ".dll";
        if (!File.Exists(assemblyPath))
        {
            return (null, Refuse($"its assembly {Path.GetFileName(assemblyPath)} is missing"));
        }

        var signature = FolderSignature.Of(folder);
        PluginLoader? loader = null;
        try
        {
            loader = PluginLoader.CreateFromAssemblyFile(assemblyPath, isUnloadable: true, sharedTypes, config =>
            {
                // Only the shared assemblies (and what they depend on) come from the host; everything else the plugin
                // ships is its own, so two plugins can use two versions of one library.
                config.PreferSharedTypes = false;
                // Read the files into memory: the folder can be replaced or deleted while the plugin runs.
                config.LoadInMemory = true;
            });
            var assembly = loader.LoadDefaultAssembly();
            var manifest = assembly.GetCustomAttribute<MailPluginAttribute>();
            if (manifest is null)
            {
                loader.Dispose();
                return (null, Refuse($"{Path.GetFileName(assemblyPath)} has no [assembly: MailPlugin(\"<id>\")] manifest"));
            }

            var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
            var refusal = SdkCompatibility.Check(manifest.BuiltAgainstSdk);
            if (refusal is not null)
            {
                loader.Dispose();
                return (null, Refuse(refusal, manifest, version));
            }

            var plugin = new LoadedPlugin(loader, assembly, manifest, version, folder, signature);
            return (plugin, new PluginDescriptor(name, manifest.Id, version, manifest.BuiltAgainstSdk, manifest.DisplayName, true, null));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            loader?.Dispose();
            var reason = ex is BadImageFormatException
                ? $"{Path.GetFileName(assemblyPath)} is not a valid .NET assembly"
                : $"{Path.GetFileName(assemblyPath)} cannot be loaded: {ex.GetBaseException().Message}";
            return (null, Refuse(reason));
        }
    }
}
