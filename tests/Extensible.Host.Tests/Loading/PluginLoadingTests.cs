using Extensible.Host.Tests.Support;

namespace Extensible.Host.Tests.Loading;

/// <summary>The real host runs every usable plugin and refuses the rest with one clear line each.</summary>
public sealed class PluginLoadingTests(MixedPluginsServer fixture) : IClassFixture<MixedPluginsServer>
{
    [Theory]
    [InlineData("FutureSdk", "future", "SDK 1.99.0", "newer minor")]
    [InlineData("OtherMajor", "othermajor", "SDK 2.0.0", "major 2")]
    public void RefusesAPluginBuiltAgainstAnIncompatibleSdkInOneLineNamingPluginVersionAndReason(string folder, string id, string sdk, string reason)
    {
        var lines = fixture.Server.Logs.Where(l => l.Contains($"Plugin {folder} ", StringComparison.Ordinal)).ToList();

        var line = Assert.Single(lines);
        Assert.Contains("[WRN]", line, StringComparison.Ordinal);
        Assert.Contains($"({id} 1.0.0, {sdk}) refused: ", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportsAPluginWhoseStartThrowsAndRunsTheOthers()
    {
        var ct = TestContext.Current.CancellationToken;

        var line = Assert.Single(fixture.Server.Logs, l => l.Contains("throwing", StringComparison.Ordinal) && l.Contains("failed to start", StringComparison.Ordinal));
        Assert.Contains("the throwing plugin refuses to start", line, StringComparison.Ordinal);
        Assert.True(fixture.Server.IsRunning);
        await using var echo = await LineClient.ConnectAsync(fixture.Server.EndPoint("echo", "echo"), ct);
        Assert.StartsWith("+OK", await echo.ReadLineAsync(ct), StringComparison.Ordinal);
        Assert.Equal("+OK hello", await echo.SendAsync("hello", ct));
    }

    [Theory]
    [InlineData("json12", "12.0.3.")]
    [InlineData("json13", "13.0.3.")]
    public async Task GivesEachPluginItsOwnVersionOfTheSameLibrary(string service, string version)
    {
        var ct = TestContext.Current.CancellationToken;

        await using var client = await LineClient.ConnectAsync(fixture.Server.EndPoint(service, "json"), ct);

        Assert.StartsWith("+OK json " + version, await client.ReadLineAsync(ct), StringComparison.Ordinal);
        Assert.Equal("+OK {\"line\":\"hi\"}", await client.SendAsync("hi", ct));
    }

    [Fact]
    public void FindsTheExportsOfAPluginShippingItsOwnAttributeAssembly()
    {
        Assert.Contains(fixture.Server.Logs, l => l.Contains("Started own-composition 1.0.0", StringComparison.Ordinal));
    }
}
