using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using Extensible.Testing;

namespace Extensible.Host.Tests.Networking;

public sealed class ListenerTests
{
    [Fact]
    public async Task Tls_1_2_and_1_3_work_implicitly_and_through_starttls()
    {
        await using var server = await HostFixture.StartAsync();

        foreach (var protocol in new[] { SslProtocols.Tls12, SslProtocols.Tls13 })
        {
            await using var implicitTls = await LineClient.ConnectAsync(server.Port("echo", "echos"));
            await implicitTls.StartTlsAsync(protocol);
            Assert.Equal("+OK echo ready tls", await implicitTls.ReadLineAsync());
            Assert.Equal(protocol, implicitTls.TlsProtocol);

            await using var upgraded = await LineClient.ConnectAsync(server.Port("echo", "echo"));
            Assert.Equal("+OK echo ready plain", await upgraded.ReadLineAsync());
            await upgraded.WriteLineAsync("STARTTLS");
            Assert.Equal("+OK begin TLS", await upgraded.ReadLineAsync());
            await upgraded.StartTlsAsync(protocol);
            Assert.Equal("+OK tls", await upgraded.ReadLineAsync());
            await upgraded.WriteLineAsync("hello");
            Assert.Equal("+OK hello", await upgraded.ReadLineAsync());
        }

        Assert.Contains(server.Logs, l => l.Contains("self-signed", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(server.DataDirectory, "tls", "self-signed.crt")));
    }

    [Fact]
    public async Task A_tls_1_1_client_hello_gets_no_server_hello_while_a_tls_1_2_one_does()
    {
        await using var server = await HostFixture.StartAsync();
        var port = server.Port("echo", "echos");

        // Raw hellos, so the check does not depend on what the local client library still allows.
        await using var legacy = await LineClient.ConnectAsync(port);
        await legacy.WriteAsync(TlsHello.Build(0x0302));
        var legacyAnswer = await legacy.ReadRawAsync(16, TimeSpan.FromSeconds(20));

        await using var modern = await LineClient.ConnectAsync(port);
        await modern.WriteAsync(TlsHello.Build(0x0303));
        var modernAnswer = await modern.ReadRawAsync(16, TimeSpan.FromSeconds(20));

        Assert.Equal(TlsHello.Handshake, Assert.Single(modernAnswer.Take(1)));
        Assert.True(legacyAnswer.Length == 0 || legacyAnswer[0] == TlsHello.Alert, $"TLS 1.1 got record type {legacyAnswer.FirstOrDefault()}");
    }

    [Fact]
    public async Task A_certificate_that_cannot_be_parsed_gives_one_clear_message_and_leaves_the_service_out()
    {
        var root = Directory.CreateTempSubdirectory("extensible-cert").FullName;
        var certificate = Path.Combine(root, "broken-cert.pem");
        await File.WriteAllTextAsync(certificate, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n", TestContext.Current.CancellationToken);
        try
        {
            // The burner keeps the server up, so the test sees the message rather than a race with the exit.
            await using var server = await HostFixture.StartAsync(
                config => TestServer.Service(config, "echo")["Listeners"] = new JsonArray(
                    HostFixture.Listener("echo", extra: new JsonObject { ["Certificate"] = certificate, ["PrivateKey"] = certificate })),
                burner: true);
            var line = await server.WaitForLogAsync(l => l.Contains("broken-cert.pem", StringComparison.Ordinal), TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            Assert.Contains("cannot be used", line, StringComparison.Ordinal);
            Assert.Contains("echo", line, StringComparison.Ordinal);
            Assert.Single(server.Logs, l => l.Contains("broken-cert.pem", StringComparison.Ordinal));
            Assert.False(server.HasListener("echo", "echo"));
            Assert.True(server.HasListener("burner", "burner"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_certificate_stops_the_start_with_one_clear_message()
    {
        var certificate = Path.Combine(Path.GetTempPath(), "extensible-no-such-dir", "missing-cert.pem");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => HostFixture.StartAsync(
            config => config["Server"]!["Tls"] = new JsonObject { ["Certificate"] = certificate }));

        Assert.Single(error.Message.Split('\n'), l => l.Contains("missing-cert.pem", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Proxy_protocol_headers_give_the_real_client_and_malformed_ones_close_the_connection()
    {
        await using var server = await HostFixture.StartAsync(config =>
        {
            var burner = TestServer.Service(config, "burner");
            burner["Listeners"] = new JsonArray(
                HostFixture.Listener("proxied", extra: new JsonObject { ["ProxyProtocol"] = true }),
                HostFixture.Listener("direct"));
            burner["Rules"] = new JsonArray(HostFixture.Rule("203.0.113.66", "Deny"));
        }, burner: true, echo: false);
        var proxied = server.EndPoint("burner", "proxied");

        await using (var v1 = await LineClient.ConnectAsync(proxied, "PROXY TCP4 203.0.113.9 192.0.2.1 51000 25\r\n"u8.ToArray()))
        {
            Assert.Equal("+OK burner ready", await v1.ReadLineAsync());
            await v1.WriteLineAsync("PEER");
            Assert.Equal("+OK 203.0.113.9:51000 192.0.2.1:25", await v1.ReadLineAsync());
        }

        byte[] v2Header =
        [
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x21, 0x00, 0x24,
            .. IPAddress.Parse("2001:db8::9").GetAddressBytes(), .. IPAddress.Parse("2001:db8::1").GetAddressBytes(), 0xC7, 0x38, 0x03, 0xE1,
        ];
        await using (var v2 = await LineClient.ConnectAsync(proxied, [.. v2Header, .. "PEER\r\n"u8.ToArray()]))
        {
            Assert.Equal("+OK burner ready", await v2.ReadLineAsync());
            Assert.Equal("+OK [2001:db8::9]:51000 [2001:db8::1]:993", await v2.ReadLineAsync());
        }

        // Rules see the client the proxy names, not the proxy.
        await using (var denied = await LineClient.ConnectAsync(proxied, "PROXY TCP4 203.0.113.66 192.0.2.1 51000 25\r\n"u8.ToArray()))
        {
            Assert.Equal("-ERR Denied mail.example.test", await denied.ReadLineAsync());
            Assert.Null(await denied.ReadLineAsync());
        }

        await using (var malformed = await LineClient.ConnectAsync(proxied, "EHLO attacker.example\r\n"u8.ToArray()))
        {
            Assert.Null(await malformed.ReadLineAsync());
        }

        // Without the option the header is just protocol input.
        await using (var direct = await LineClient.ConnectAsync(server.EndPoint("burner", "direct")))
        {
            Assert.Equal("+OK burner ready", await direct.ReadLineAsync());
            await direct.WriteLineAsync("PEER");
            Assert.StartsWith("+OK 127.0.0.1:", await direct.ReadLineAsync(), StringComparison.Ordinal);
        }

        var stats = await HostFixture.WaitForStatsAsync(server, "burner", s => s.GetProperty("proxyFailures").GetInt32() >= 1);
        Assert.Equal(1, stats.GetProperty("refusalsByReason").GetProperty("Denied").GetInt32());
    }

    [Fact]
    public async Task An_ipv6_loopback_listener_serves_clients()
    {
        Assert.SkipUnless(Socket.OSSupportsIPv6, "IPv6 is not available on this machine");
        await using var server = await HostFixture.StartAsync(config =>
            TestServer.Service(config, "echo")["Listeners"] = new JsonArray(HostFixture.Listener("echo6", "[::1]:0")));

        var endPoint = server.EndPoint("echo", "echo6");
        await using var client = await LineClient.ConnectAsync(endPoint);

        Assert.Equal(IPAddress.IPv6Loopback, endPoint.Address);
        Assert.Equal("+OK echo ready plain", await client.ReadLineAsync());
        await client.WriteLineAsync("over v6");
        Assert.Equal("+OK over v6", await client.ReadLineAsync());
    }

    [Fact]
    public async Task Shutdown_stops_accepting_lets_an_open_session_work_then_closes_it_after_the_timeout()
    {
        await using var server = await HostFixture.StartForSignalsAsync(config => config["Server"]!["ShutdownTimeout"] = 6);
        var port = server.Port("echo", "echo");
        await using var session = await LineClient.ConnectAsync(port);
        Assert.Equal("+OK echo ready plain", await session.ReadLineAsync());

        var stopwatch = Stopwatch.StartNew();
        var stopping = server.StopAsync(TimeSpan.FromSeconds(60));
        var refused = false;
        for (var attempt = 0; attempt < 100 && !refused; attempt++)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
            catch (SocketException)
            {
                refused = true;
            }
        }

        Assert.True(refused, "the listener kept accepting after SIGTERM");
        await session.WriteLineAsync("still here");
        var during = await session.ReadLineAsync();
        Assert.True(during == "+OK still here", $"during the drain got '{during}' after {stopwatch.Elapsed}; logs:\n{server.LogTail()}");
        Assert.False(stopping.IsCompleted);

        var last = await session.ReadLineAsync(TimeSpan.FromSeconds(45));
        Assert.True(last == "-ERR ShuttingDown mail.example.test", $"at the end got '{last}' after {stopwatch.Elapsed}; logs:\n{server.LogTail()}");
        Assert.Null(await session.ReadLineAsync());
        Assert.Equal(0, await stopping);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(5.5), $"closed after {stopwatch.Elapsed}, before the 6 s drain");
    }
}
