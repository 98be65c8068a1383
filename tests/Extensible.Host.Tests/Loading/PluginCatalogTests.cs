using System.Composition;
using System.Composition.Hosting;
using System.Reflection;
using Extensible.Host.Tests.Support;
using Extensible.Hosting.Loading;
using Extensible.Sdk.Plugins;

namespace Extensible.Host.Tests.Loading;

/// <summary>The catalog loads real plugin builds in their own load contexts and refuses what cannot run.</summary>
public sealed class PluginCatalogTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "extensible-tests", "catalog-" + Guid.NewGuid().ToString("n")[..8]);

    [Fact]
    public void LoadsAPluginBuiltAgainstTheSameMajorAndFindsItsParts()
    {
        var (plugin, descriptor) = PluginCatalog.Load(TestPlugins.Folder("Echo"));

        Assert.NotNull(plugin);
        using (plugin)
        {
            Assert.True(descriptor.Loaded, descriptor.Reason);
            Assert.Equal(("echo", "1.0.0", "1.0.0"), (descriptor.Id, descriptor.Version, descriptor.BuiltAgainstSdk));
            Assert.Single(Exports(plugin.Assembly));
        }
    }

    [Fact]
    public void FindsExportsOfAPluginCarryingItsOwnAttributeAssemblyOnlyWhenExportAttributeIsShared()
    {
        var folder = TestPlugins.Folder("OwnComposition");
        Assert.True(File.Exists(Path.Combine(folder, "System.Composition.AttributedModel.dll")), "the plugin must ship its own attribute assembly");

        var (shared, _) = PluginCatalog.Load(folder);
        var (unshared, _) = PluginCatalog.Load(folder, [.. PluginCatalog.SharedTypes.Where(t => t != typeof(ExportAttribute))]);

        Assert.NotNull(shared);
        Assert.NotNull(unshared);
        using (shared)
        using (unshared)
        {
            Assert.Single(Exports(shared.Assembly));
            Assert.Empty(Exports(unshared.Assembly));
        }
    }

    [Theory]
    [InlineData("FutureSdk", "future", "1.99.0", "newer minor")]
    [InlineData("OtherMajor", "othermajor", "2.0.0", "major 2")]
    public void RefusesAPluginBuiltAgainstAnIncompatibleSdk(string folder, string id, string sdk, string reason)
    {
        var (plugin, descriptor) = PluginCatalog.Load(TestPlugins.Folder(folder));

        Assert.Null(plugin);
        Assert.False(descriptor.Loaded);
        Assert.Equal((id, "1.0.0", sdk), (descriptor.Id, descriptor.Version, descriptor.BuiltAgainstSdk));
        Assert.Contains(reason, descriptor.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void GivesEachPluginItsOwnVersionOfALibrary()
    {
        var (json12, _) = PluginCatalog.Load(TestPlugins.Folder("Json12"));
        var (json13, _) = PluginCatalog.Load(TestPlugins.Folder("Json13"));

        Assert.NotNull(json12);
        Assert.NotNull(json13);
        using (json12)
        using (json13)
        {
            Assert.StartsWith("12.0.3.", JsonVersion(json12), StringComparison.Ordinal);
            Assert.StartsWith("13.0.3.", JsonVersion(json13), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RefusesACorruptAssemblyWithOneClearReason()
    {
        var folder = Path.Combine(_root, "Corrupt");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(TestPlugins.Folder("Echo"), "Extensible.TestPlugins.Echo.deps.json"), Path.Combine(folder, "Extensible.TestPlugins.Echo.deps.json"));
        File.WriteAllText(Path.Combine(folder, "Extensible.TestPlugins.Echo.dll"), "not an assembly");

        var (plugin, descriptor) = PluginCatalog.Load(folder);

        Assert.Null(plugin);
        Assert.Equal("Extensible.TestPlugins.Echo.dll is not a valid .NET assembly", descriptor.Reason);
    }

    [Fact]
    public void RefusesAFolderWithoutItsAssembly()
    {
        var folder = Path.Combine(_root, "NoDll");
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(TestPlugins.Folder("Echo"), "Extensible.TestPlugins.Echo.deps.json"), Path.Combine(folder, "Extensible.TestPlugins.Echo.deps.json"));

        var (plugin, descriptor) = PluginCatalog.Load(folder);

        Assert.Null(plugin);
        Assert.Equal("its assembly Extensible.TestPlugins.Echo.dll is missing", descriptor.Reason);
    }

    [Fact]
    public void RefusesAFolderWithoutADepsFile()
    {
        var folder = Path.Combine(_root, "Empty");
        Directory.CreateDirectory(folder);

        var (plugin, descriptor) = PluginCatalog.Load(folder);

        Assert.Null(plugin);
        Assert.Contains("no *.deps.json", descriptor.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SignatureChangesWhileACopyAddsFilesEvenWithPreservedWriteTimes()
    {
        var source = TestPlugins.Folder("Json13");
        var target = Path.Combine(_root, "Json13");
        Directory.CreateDirectory(target);
        var signatures = new List<FolderSignature> { FolderSignature.Of(target) };
        foreach (var file in Directory.GetFiles(source).OrderByDescending(File.GetLastWriteTimeUtc))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            File.SetLastWriteTimeUtc(Path.Combine(target, Path.GetFileName(file)), File.GetLastWriteTimeUtc(file));
            signatures.Add(FolderSignature.Of(target));
        }

        Assert.Equal(signatures.Count, signatures.Distinct().Count());
        Assert.Equal(FolderSignature.Of(source), signatures[^1]);
    }

    [Fact]
    public void UnloadsTheLoadContextOnceNothingHoldsThePlugin()
    {
        var context = LoadAndUnload(TestPlugins.Folder("Json13"));

        for (var attempt = 0; attempt < 50 && context.IsAlive; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(context.IsAlive, "the plugin's load context is still referenced");
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference LoadAndUnload(string folder)
    {
        var (plugin, _) = PluginCatalog.Load(folder);
        Assert.NotNull(plugin);
        Assert.Single(Exports(plugin.Assembly));
        Assert.StartsWith("13.0.3.", JsonVersion(plugin), StringComparison.Ordinal);
        return plugin.Unload();
    }

    private static List<IMailPlugin> Exports(Assembly assembly)
    {
        using var container = new ContainerConfiguration().WithAssembly(assembly).CreateContainer();
        return container.GetExports<IMailPlugin>().ToList();
    }

    private static string JsonVersion(LoadedPlugin plugin) =>
        (string)plugin.Assembly.GetType("Extensible.TestPlugins.Json.JsonPlugin", throwOnError: true)!
            .GetProperty("JsonVersion")!.GetValue(null)!;
}
