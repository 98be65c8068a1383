using System.Diagnostics;
using System.Text.Json.Nodes;
using Extensible.Host.Tests.Networking;
using Extensible.Testing;

namespace Extensible.Host.Tests.Budget;

public sealed class BudgetIntegrationTests
{
    [Fact]
    public async Task With_MaxThreads_2_fifty_slow_connections_run_on_two_threads_and_all_are_served()
    {
        await using var server = await HostFixture.StartAsync(config =>
        {
            TestServer.Service(config, "echo")["Threads"] = new JsonObject { ["MinThreads"] = 1, ["MaxThreads"] = 2, ["MaxConnections"] = 200 };
            TestServer.ServiceOptions(config, "echo")["SlowMilliseconds"] = 50;
        });
        var port = server.Port("echo", "echo");
        var clients = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => LineClient.ConnectAsync(port)));
        try
        {
            Assert.All(await Task.WhenAll(clients.Select(c => c.ReadLineAsync())), g => Assert.Equal("+OK echo ready plain", g));

            var replies = await Task.WhenAll(clients.Select(async c =>
            {
                await c.WriteLineAsync("SLOW");
                var slow = await c.ReadLineAsync(TimeSpan.FromSeconds(120));
                await c.WriteLineAsync("THREAD");
                return (Slow: slow, Thread: await c.ReadLineAsync(TimeSpan.FromSeconds(120)));
            }));

            Assert.All(replies, r => Assert.StartsWith("+OK slow max=", r.Slow, StringComparison.Ordinal));
            var maxConcurrency = replies.Max(r => int.Parse(r.Slow!["+OK slow max=".Length..], System.Globalization.CultureInfo.InvariantCulture));
            Assert.InRange(maxConcurrency, 1, 2);
            Assert.InRange(replies.Select(r => r.Thread).Distinct().Count(), 1, 2);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_service_burning_its_whole_budget_does_not_stop_another_service_answering()
    {
        await using var server = await HostFixture.StartAsync(config =>
        {
            config["Server"]!["ShutdownTimeout"] = 2;
            TestServer.Service(config, "burner")["Threads"] = new JsonObject { ["MinThreads"] = 1, ["MaxThreads"] = 2 };
        }, burner: true);
        var burners = new List<LineClient>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var burner = await LineClient.ConnectAsync(server.Port("burner", "burner"));
                burners.Add(burner);
                Assert.Equal("+OK burner ready", await burner.ReadLineAsync());
                await burner.WriteLineAsync("BURN 30000");
            }

            // Both burner threads spin; a third connection then waits in the burner's queue, as seen from outside.
            await HostFixture.WaitForStatsAsync(server, "burner", s => s.GetProperty("busy").GetInt32() == 2);
            burners.Add(await LineClient.ConnectAsync(server.Port("burner", "burner")));
            var stats = await HostFixture.WaitForStatsAsync(server, "burner", s => s.GetProperty("queue").GetInt32() >= 1);
            Assert.Equal(2, stats.GetProperty("threads").GetInt32());
            Assert.Equal(2, stats.GetProperty("busy").GetInt32());

            var stopwatch = Stopwatch.StartNew();
            await using var echo = await LineClient.ConnectAsync(server.Port("echo", "echo"));
            Assert.Equal("+OK echo ready plain", await echo.ReadLineAsync(TimeSpan.FromSeconds(25)));
            await echo.WriteLineAsync("ping");
            Assert.Equal("+OK ping", await echo.ReadLineAsync(TimeSpan.FromSeconds(25)));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"echo answered after {stopwatch.Elapsed} while the burner runs 30 s");

            // The queued burner connection is still waiting for a thread: the burner starved only itself.
            Assert.Equal(2, HostFixture.Stats(server, "burner")!.Value.GetProperty("busy").GetInt32());
        }
        finally
        {
            foreach (var burner in burners)
            {
                await burner.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Beyond_MaxConnections_a_client_gets_the_busy_reply()
    {
        await using var server = await HostFixture.StartAsync(config =>
            TestServer.Service(config, "echo")["Threads"] = new JsonObject { ["MaxConnections"] = 2 });
        var port = server.Port("echo", "echo");
        await using var first = await LineClient.ConnectAsync(port);
        await using var second = await LineClient.ConnectAsync(server.Port("echo", "echos"));
        Assert.Equal("+OK echo ready plain", await first.ReadLineAsync());
        await second.StartTlsAsync();
        Assert.Equal("+OK echo ready tls", await second.ReadLineAsync());

        await using var third = await LineClient.ConnectAsync(port);

        Assert.Equal("-ERR Busy mail.example.test", await third.ReadLineAsync());
        Assert.Null(await third.ReadLineAsync());
        var stats = await HostFixture.WaitForStatsAsync(server, "echo", s => s.GetProperty("refusalsByReason").GetProperty("Busy").GetInt32() == 1);
        Assert.Equal(2, stats.GetProperty("connections").GetInt32());
        Assert.Equal(2, stats.GetProperty("maxConnections").GetInt32());
    }
}
