using System.Diagnostics;
using System.Text.Json.Nodes;
using Extensible.Testing;

namespace Extensible.Host.Tests.Networking;

public sealed class AccessRulesIntegrationTests
{
    [Fact]
    public async Task A_denied_peer_gets_the_protocol_refusal_and_repeats_are_counted_but_logged_once()
    {
        await using var server = await HostFixture.StartAsync(config =>
            TestServer.Service(config, "echo")["Rules"] = new JsonArray(HostFixture.Rule("127.0.0.0/8", "Deny")));
        var port = server.Port("echo", "echo");

        for (var i = 0; i < 10; i++)
        {
            await using var client = await LineClient.ConnectAsync(port);
            Assert.Equal("-ERR Denied mail.example.test", await client.ReadLineAsync());
            Assert.Null(await client.ReadLineAsync());
        }

        var stats = await HostFixture.WaitForStatsAsync(server, "echo", s => s.GetProperty("refusals").GetInt32() == 10);
        Assert.Equal(10, stats.GetProperty("refusalsByReason").GetProperty("Denied").GetInt32());
        Assert.Single(server.Logs, l => l.Contains("Refused 127.0.0.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_listener_allow_rule_overrides_a_global_deny()
    {
        await using var server = await HostFixture.StartAsync(config =>
        {
            config["Rules"] = new JsonArray(HostFixture.Rule("0.0.0.0/0", "Deny", 1));
            TestServer.Service(config, "echo")["Listeners"] = new JsonArray(
                HostFixture.Listener("open", extra: new JsonObject { ["Rules"] = new JsonArray(HostFixture.Rule("127.0.0.1", "Allow", 900)) }),
                HostFixture.Listener("closed"));
        });

        await using var open = await LineClient.ConnectAsync(server.Port("echo", "open"));
        await using var closed = await LineClient.ConnectAsync(server.Port("echo", "closed"));

        Assert.Equal("+OK echo ready plain", await open.ReadLineAsync());
        Assert.Equal("-ERR Denied mail.example.test", await closed.ReadLineAsync());
    }

    [Fact]
    public async Task Peer_max_connections_refuses_the_extra_connection_until_one_closes()
    {
        await using var server = await HostFixture.StartAsync(config =>
            TestServer.Service(config, "echo")["Listeners"] = new JsonArray(HostFixture.Listener("echo", extra: new JsonObject { ["PeerMaxConnections"] = 2 })));
        var port = server.Port("echo", "echo");

        await using var first = await LineClient.ConnectAsync(port);
        await using var second = await LineClient.ConnectAsync(port);
        Assert.Equal("+OK echo ready plain", await first.ReadLineAsync());
        Assert.Equal("+OK echo ready plain", await second.ReadLineAsync());
        await using (var third = await LineClient.ConnectAsync(port))
        {
            Assert.Equal("-ERR Busy mail.example.test", await third.ReadLineAsync());
        }

        await first.WriteLineAsync("QUIT");
        Assert.Equal("+OK bye", await first.ReadLineAsync());
        Assert.Null(await first.ReadLineAsync());

        // The host releases the slot when the handler ends; retry briefly for that to happen.
        string? greeting = null;
        for (var attempt = 0; attempt < 50 && greeting != "+OK echo ready plain"; attempt++)
        {
            await using var again = await LineClient.ConnectAsync(port);
            greeting = await again.ReadLineAsync();
            if (greeting != "+OK echo ready plain")
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        Assert.Equal("+OK echo ready plain", greeting);
    }

    [Fact]
    public async Task Interval_limit_refuses_with_rate_limited()
    {
        await using var server = await HostFixture.StartAsync(config =>
            TestServer.Service(config, "echo")["Listeners"] = new JsonArray(HostFixture.Listener("echo", extra: new JsonObject
            {
                ["PeerMaxIntervalConnections"] = 3,
                ["PeerTimeInterval"] = 3600,
            })));
        var port = server.Port("echo", "echo");

        var greetings = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            await using var client = await LineClient.ConnectAsync(port);
            greetings.Add(await client.ReadLineAsync());
        }

        Assert.Equal(["+OK echo ready plain", "+OK echo ready plain", "+OK echo ready plain", "-ERR RateLimited mail.example.test"], greetings);
    }

    [Fact]
    public async Task Idle_connections_are_closed_with_the_protocol_line()
    {
        await using var server = await HostFixture.StartAsync(config =>
            TestServer.Service(config, "echo")["Listeners"] = new JsonArray(HostFixture.Listener("echo", extra: new JsonObject { ["IdleTimeout"] = 1 })));
        await using var client = await LineClient.ConnectAsync(server.Port("echo", "echo"));

        Assert.Equal("+OK echo ready plain", await client.ReadLineAsync());
        Assert.Equal("-ERR IdleTimeout mail.example.test", await client.ReadLineAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(await client.ReadLineAsync());
    }

    [Fact]
    public async Task A_deny_rule_added_and_reloaded_refuses_the_next_connection_while_an_open_one_stays()
    {
        await using var server = await HostFixture.StartForSignalsAsync();
        var port = server.Port("echo", "echo");
        await using var open = await LineClient.ConnectAsync(port);
        Assert.Equal("+OK echo ready plain", await open.ReadLineAsync());

        await server.RewriteConfigAsync(config => TestServer.Service(config, "echo")["Rules"] = new JsonArray(HostFixture.Rule("127.0.0.1", "Deny")), TestContext.Current.CancellationToken);
        await server.ReloadAsync(TestContext.Current.CancellationToken);

        await using var next = await LineClient.ConnectAsync(port);
        Assert.Equal("-ERR Denied mail.example.test", await next.ReadLineAsync());
        await open.WriteLineAsync("still open");
        Assert.Equal("+OK still open", await open.ReadLineAsync());

        // And back: removing the rule lets clients in again, on the same listener; a lowered cap applies at once.
        await server.RewriteConfigAsync(config =>
        {
            TestServer.Service(config, "echo")["Rules"] = new JsonArray();
            TestServer.Service(config, "echo")["Threads"] = new JsonObject { ["MaxConnections"] = 2 };
        }, TestContext.Current.CancellationToken);
        await server.ReloadAsync(TestContext.Current.CancellationToken);
        await using var after = await LineClient.ConnectAsync(port);
        Assert.Equal("+OK echo ready plain", await after.ReadLineAsync());
        await using var beyond = await LineClient.ConnectAsync(port);
        Assert.Equal("-ERR Busy mail.example.test", await beyond.ReadLineAsync());
    }

    [Fact]
    public async Task A_peer_that_fails_logins_gets_its_greeting_delayed()
    {
        await using var server = await HostFixture.StartAsync(config => TestServer.Service(config, "burner")["MaxAuthErrors"] = 2, burner: true, echo: false);
        var port = server.Port("burner", "burner");
        await using (var session = await LineClient.ConnectAsync(port))
        {
            Assert.Equal("+OK burner ready", await session.ReadLineAsync());
            for (var i = 0; i < 3; i++)
            {
                await session.WriteLineAsync("AUTHFAIL");
                Assert.Equal("-ERR authentication failed", await session.ReadLineAsync());
            }
        }

        var stopwatch = Stopwatch.StartNew();
        await using var slowed = await LineClient.ConnectAsync(port);
        Assert.Equal("+OK burner ready", await slowed.ReadLineAsync());

        // Three failures against MaxAuthErrors 2 earn a 2 s hold; a lower bound cannot be flaky on a slow machine.
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(1.8), $"greeting after {stopwatch.Elapsed}");
        Assert.Single(server.Logs, l => l.Contains("slowed down", StringComparison.Ordinal));
    }
}
