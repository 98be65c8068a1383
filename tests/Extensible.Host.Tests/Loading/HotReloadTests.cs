using System.Net.Sockets;
using Extensible.Host.Tests.Support;
using Extensible.Testing;

namespace Extensible.Host.Tests.Loading;

/// <summary>Plugin folders dropped in, replaced or deleted while the host runs, with a client of another service watching.</summary>
public sealed class HotReloadTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AddsUpgradesAndRemovesServicesWithoutDisturbingAnotherServicesSession()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestServer.StartAsync(new TestServerOptions
        {
            ExtraPluginDirectories = [TestPlugins.Folder("Echo"), TestPlugins.Folder("Json12")],
        }, ct);
        await using var witness = await LineClient.ConnectAsync(server.EndPoint("json12", "json"), ct);
        Assert.StartsWith("+OK json 12.0.3", await witness.ReadLineAsync(ct), StringComparison.Ordinal);
        Assert.Equal("1.0.0", await EchoVersionAsync(server, ct));

        // Dropping a folder in starts the service.
        TestPlugins.Copy(TestPlugins.Folder("Json13"), Path.Combine(server.PluginDirectory, "Json13"));
        await Wait.UntilAsync(() => server.HasListener("json13", "json"), Deadline, "json13 to listen", ct);
        await using var draining = await LineClient.ConnectAsync(server.EndPoint("json13", "json"), ct);
        Assert.StartsWith("+OK json 13.0.3", await draining.ReadLineAsync(ct), StringComparison.Ordinal);
        Assert.Equal("+OK {\"line\":\"after add\"}", await witness.SendAsync("after add", ct));

        // Replacing a folder's files with a newer build upgrades the service in place.
        TestPlugins.Copy(TestPlugins.Folder("EchoV2"), Path.Combine(server.PluginDirectory, "Echo"));
        await Wait.UntilAsync(async () => await EchoVersionAsync(server, ct) == "2.0.0", Deadline, "echo 2.0.0", ct);
        Assert.Equal("+OK {\"line\":\"after upgrade\"}", await witness.SendAsync("after upgrade", ct));
        Assert.Equal("+OK {\"line\":\"still here\"}", await draining.SendAsync("still here", ct));

        // Deleting a folder drains the service: its open session may finish, then it stops and its port closes.
        var port = server.Port("json13", "json");
        Directory.Delete(Path.Combine(server.PluginDirectory, "Json13"), recursive: true);
        await server.WaitForLogAsync(l => l.Contains("removed: stopping json13", StringComparison.Ordinal), Deadline, ct);
        Assert.Equal("+OK {\"line\":\"draining\"}", await draining.SendAsync("draining", ct));
        Assert.Equal("+OK bye", await draining.SendAsync("QUIT", ct));
        await server.WaitForLogAsync(l => l.Contains("Stopped json13", StringComparison.Ordinal), Deadline, ct);
        await Wait.UntilAsync(() => !server.HasListener("json13", "json"), Deadline, "json13 to leave listeners.json", ct);
        await Assert.ThrowsAsync<SocketException>(async () => await LineClient.ConnectAsync(new(System.Net.IPAddress.Loopback, port), ct));

        Assert.Equal("+OK {\"line\":\"after remove\"}", await witness.SendAsync("after remove", ct));
        // The replaced echo really unloads; json13 used Newtonsoft.Json, whose TypeDescriptor lookups pin it (UnloadProbeTests).
        await server.WaitForLogAsync(l => l.Contains("load context of echo 1.0.0 unloaded", StringComparison.Ordinal), Deadline, ct);
        await server.WaitForLogAsync(l => l.Contains("load context of json13 1.0.0", StringComparison.Ordinal), Deadline, ct);
    }

    /// <summary>The running echo's version, or null while no echo listens.</summary>
    private static async Task<string?> EchoVersionAsync(TestServer server, CancellationToken cancellationToken)
    {
        if (!server.HasListener("echo", "echo"))
        {
            return null;
        }

        try
        {
            await using var client = await LineClient.ConnectAsync(server.EndPoint("echo", "echo"), cancellationToken);
            await client.ReadLineAsync(cancellationToken);
            return (await client.SendAsync("VERSION", cancellationToken))?["+OK ".Length..];
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
