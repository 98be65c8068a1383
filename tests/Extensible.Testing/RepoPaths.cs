namespace Extensible.Testing;

/// <summary>Where the repository's build output lives, found from the test assembly's location.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootValue = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Extensible.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find Extensible.sln above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root.</summary>
    public static string Root => RootValue.Value;

    /// <summary>The repository's plugin-bin.</summary>
    public static string PluginBin => Path.Combine(Root, "plugin-bin");

    /// <summary>The build configuration the tests were built with (the host is taken from the same one).</summary>
    public static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>The host executable (<c>extensible.dll</c>).</summary>
    public static string HostDll => Path.Combine(Root, "host", "Extensible.Host", "bin", Configuration, "net10.0", "extensible.dll");
}
