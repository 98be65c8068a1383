using Extensible.Host.Tests.Support;
using Extensible.Testing;

namespace Extensible.Host.Tests.Cli;

/// <summary><c>extensible plugins list</c> shows every folder: id, version, SDK version, loaded or why not.</summary>
public sealed class PluginsListTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("extensible-list-").FullName;

    [Fact]
    public async Task ListsEveryPluginWithItsVersionsAndWhyItWasRefused()
    {
        var plugins = Path.Combine(_root, "plugin-bin");
        foreach (var name in new[] { "Echo", "FutureSdk", "OtherMajor", "Json12" })
        {
            TestPlugins.Copy(TestPlugins.Folder(name), Path.Combine(plugins, name));
        }

        Directory.CreateDirectory(Path.Combine(plugins, "Empty"));
        var config = Path.Combine(_root, "extensible.json");
        await File.WriteAllTextAsync(config, """{ "Server": { "PluginDirectory": "plugin-bin" } }""", TestContext.Current.CancellationToken);

        var result = await TestServer.RunHostAsync(["plugins", "list", "--config", config], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Contains("Echo echo 1.0.0 1.0.0 loaded", lines);
        Assert.Contains("Json12 json12 1.0.0 1.0.0 loaded", lines);
        Assert.Contains(lines, l => l.StartsWith("FutureSdk future 1.0.0 1.99.0 refused: it was built against SDK 1.99.0", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("OtherMajor othermajor 1.0.0 2.0.0 refused:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Empty - - - refused: the folder holds no *.deps.json", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
