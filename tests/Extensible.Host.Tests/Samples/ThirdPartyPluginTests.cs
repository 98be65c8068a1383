using System.Diagnostics;
using Extensible.Host.Tests.Support;
using Extensible.Testing;

namespace Extensible.Host.Tests.Samples;

/// <summary>The third-party kit end to end: pack the SDK, build samples/HelloPlugin against the package, drop it in, talk to it.</summary>
public sealed class ThirdPartyPluginTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("extensible-sample-").FullName;

    [Fact]
    public async Task ASamplePluginBuiltAgainstThePackedSdkLoadsFromPluginBin()
    {
        var ct = TestContext.Current.CancellationToken;
        var feed = Path.Combine(_root, "feed");
        var source = Path.Combine(_root, "HelloPlugin");
        var output = Path.Combine(_root, "Hello");
        var packages = Path.Combine(_root, "packages");
        await RunAsync(["pack", Path.Combine(RepoPaths.Root, "sdk", "Extensible.Sdk"), "-c", "Release", "-o", feed], RepoPaths.Root, ct);
        TestPlugins.Copy(Path.Combine(RepoPaths.Root, "samples", "HelloPlugin"), source);
        foreach (var build in new[] { "bin", "obj" }.Select(d => Path.Combine(source, d)).Where(Directory.Exists))
        {
            Directory.Delete(build, recursive: true);
        }

        // The local feed plus the machine's own sources; a private package folder so a stale SDK package cannot be picked up,
        // with the machine's cache as a fallback so nothing else is downloaded again.
        var machineCache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await File.WriteAllTextAsync(Path.Combine(source, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{packages}" /></config>
              <packageSources><add key="local" value="{feed}" /></packageSources>
              <fallbackPackageFolders><add key="machine" value="{machineCache}" /></fallbackPackageFolders>
            </configuration>
            """, ct);
        await RunAsync(["build", source, "-c", "Release", "-o", output], source, ct);
        Assert.True(Directory.Exists(Path.Combine(packages, "extensible.sdk", "1.0.0")), "the SDK package was not restored from the local feed");
        Assert.False(File.Exists(Path.Combine(output, "Extensible.Sdk.dll")), "a plugin must not ship the SDK");

        await using var server = await TestServer.StartAsync(new TestServerOptions
        {
            ExtraPluginDirectories = [output],
            Configure = config => TestServer.ServiceOptions(config, "hello")["Greeting"] = "configured-greeting",
        }, ct);
        await using var client = await LineClient.ConnectAsync(server.EndPoint("hello", "hello"), ct);

        Assert.Equal("+OK configured-greeting", await client.ReadLineAsync(ct));
        Assert.Equal("+OK hello world", await client.SendAsync("HELLO world", ct));
        Assert.Contains(server.Logs, l => l.Contains("Started hello 0.1.0 (SDK 1.0.0) from Hello", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task RunAsync(IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} failed:\n{await output}\n{await error}");
    }
}
