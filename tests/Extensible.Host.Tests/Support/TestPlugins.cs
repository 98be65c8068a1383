using Extensible.Testing;

namespace Extensible.Host.Tests.Support;

/// <summary>The throwaway plugins under tests/TestPlugins, built into tests/TestPlugins/plugin-bin/&lt;Name&gt;/.</summary>
internal static class TestPlugins
{
    /// <summary>The folder holding every built test plugin.</summary>
    public static string Directory => Path.Combine(RepoPaths.Root, "tests", "TestPlugins", "plugin-bin");

    /// <summary>The built folder of one test plugin (Echo, EchoV2, FutureSdk, OtherMajor, Throwing, Json12, Json13, OwnComposition).</summary>
    public static string Folder(string name)
    {
        var path = Path.Combine(Directory, name);
        return System.IO.Directory.Exists(path) ? path : throw new InvalidOperationException($"test plugin {path} is not built");
    }

    /// <summary>Copies a folder recursively (a plugin drop, as an admin would do it).</summary>
    public static void Copy(string source, string target)
    {
        System.IO.Directory.CreateDirectory(target);
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }
    }
}
