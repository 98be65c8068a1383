using System.Text;
using System.Text.Json.Nodes;
using Extensible.Testing;

namespace Extensible.Pop3.Tests;

/// <summary>One real server (Storage, Pop3 and the test append plugin) that a class of hostile clients shares.</summary>
public sealed class HostilePop3Fixture : IAsyncLifetime
{
    /// <summary>The server under attack.</summary>
    public TestServer Server { get; private set; } = null!;

    /// <summary>A text only user a's first message holds.</summary>
    public string MarkerOfA { get; } = "A-MARKER-" + Guid.NewGuid().ToString("n");

    /// <summary>A text only user b's message holds.</summary>
    public string MarkerOfB { get; } = "B-MARKER-" + Guid.NewGuid().ToString("n");

    /// <summary>The server's resident memory after start-up and a warm-up session, in KiB.</summary>
    public long BaselineRssKb { get; private set; }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var token = TestContext.Current.CancellationToken;
        Server = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Pop3"],
            ExtraPluginDirectories = [Pop3ServerFixture.AppendPluginDirectory],
            LogLevel = "Information",
            Configure = config =>
            {
                var service = TestServer.Service(config, "pop3");
                service["MaxAuthErrors"] = 1000; // every connection comes from 127.0.0.1: no login penalty between attacks (0 is refused)
                service["Listeners"] = new JsonArray(
                    Listener("pop3", idleTimeout: 3),
                    Listener("patient", idleTimeout: 0),
                    new JsonObject { ["Name"] = "pop3s", ["Address"] = "127.0.0.1:0", ["ImplicitTls"] = true });
                var options = TestServer.ServiceOptions(config, "pop3");
                options["PlainConnAllowLogin"] = true;
                options["CommandTimeout"] = 5;
            },
        }, token);
        await Server.AddUserAsync("a@" + TestServer.DefaultDomain, "secret", token);
        await Server.AddUserAsync("b@" + TestServer.DefaultDomain, "bsecret", token);
        var big = new StringBuilder("Subject: big\r\n\r\n");
        while (big.Length < 2 * 1024 * 1024)
        {
            big.Append(".leading dot and some text to fill a line of the big message\r\n");
        }

        await Pop3ServerFixture.AppendAsync(Server, "a@" + TestServer.DefaultDomain, [Encoding.ASCII.GetBytes($"Subject: small\r\n\r\n{MarkerOfA}\r\n"), Encoding.ASCII.GetBytes(big.ToString())], token);
        await Pop3ServerFixture.AppendAsync(Server, "b@" + TestServer.DefaultDomain, [Encoding.ASCII.GetBytes($"Subject: private\r\n\r\n{MarkerOfB}\r\n")], token);
        BaselineRssKb = Server.RssKilobytes();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    private static JsonObject Listener(string name, int idleTimeout) => new()
    {
        ["Name"] = name,
        ["Address"] = "127.0.0.1:0",
        ["IdleTimeout"] = idleTimeout,
    };
}

/// <summary>Bad input gets a clear POP3 error and nothing else: no crash, no unbounded memory, no other user's data.</summary>
public sealed class HostileInputTests(HostilePop3Fixture fixture) : IClassFixture<HostilePop3Fixture>
{
    private const long RssAllowanceKb = 160 * 1024;
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(15);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private TestServer Server => fixture.Server;

    private int Pop3Port => Server.Port("pop3", "pop3");

    [Fact]
    public async Task RandomBytesGetOnlyPop3RepliesThenTheConnectionEnds()
    {
        var random = new Random(20_250_602);
        for (var i = 0; i < 40; i++)
        {
            await using var client = await ConnectAsync(Pop3Port);
            Assert.StartsWith("+OK ", await client.ReadLineAsync(Token));
            var garbage = new byte[random.Next(1, 16 * 1024)];
            random.NextBytes(garbage);
            await client.TrySendAsync(garbage, Token);
            client.TryShutdownSend();
            var lines = await client.ReadUntilClosedAsync(CloseWait, Token);
            Assert.All(lines, line => Assert.Matches(@"^(\+OK|-ERR)( |$)", line));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task NulBytesAndInvalidUtf8InCommandsAreErrors()
    {
        await using (var client = await GreetedAsync(Pop3Port))
        {
            foreach (var line in new[] { "\xff\xfe\xfd", "USER \xed\xa0\x80", "\xc0\xaf", "CA\0PA", "\0\0\0\0" })
            {
                await client.SendAsync(Latin1(line + "\r\n"), Token);
                Assert.StartsWith("-ERR ", await client.ReadLineAsync(Token));
            }

            await client.SendAsync(Latin1("USER a\0@example.test\r\n"), Token);
            Assert.StartsWith("+OK", await client.ReadLineAsync(Token));
            Assert.StartsWith("-ERR [AUTH]", await client.CommandAsync("PASS secret", Token));
            Assert.StartsWith("+OK", await client.CommandAsync("CAPA", Token));
            await client.ReadBodyAsync(Token);
            Assert.StartsWith("+OK", await client.CommandAsync("QUIT", Token));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task GarbageInAuthAndLoginConfusionNeverOpenAnotherUsersMaildrop()
    {
        await using (var client = await GreetedAsync(Pop3Port))
        {
            (string Command, string Expected)[] cases =
            [
                ("AUTH PLAIN " + Base64("\0a@example.test\0\xff\xfe"), "-ERR [AUTH]"),
                ("AUTH PLAIN " + Base64("no separators"), "-ERR [AUTH]"),
                ("AUTH PLAIN !!not*base64!!", "-ERR "),
                ("AUTH PLAIN " + Base64("b@example.test\0a@example.test\0secret"), "-ERR [AUTH]"),
                ("AUTH SCRAM-SHA-256 " + Base64("p=tls-unique,,n=a,r=x"), "-ERR [AUTH]"),
                ("AUTH NOSUCHMECH", "-ERR "),
            ];
            foreach (var (command, expected) in cases)
            {
                await client.SendAsync(Latin1(command + "\r\n"), Token);
                Assert.StartsWith(expected, await client.ReadLineAsync(Token));
            }

            Assert.StartsWith("+ ", await client.CommandAsync("AUTH LOGIN", Token));
            Assert.StartsWith("-ERR ", await client.CommandAsync("%%%%", Token));
            Assert.StartsWith("+ ", await client.CommandAsync("AUTH PLAIN", Token));
            Assert.StartsWith("-ERR ", await client.CommandAsync("*", Token));
        }

        await using (var client = await GreetedAsync(Pop3Port))
        {
            await client.SendAsync("USER b@example.test\r\nUSER a@example.test\r\nPASS bsecret\r\nPASS secret\r\nUSER b@example.test\r\nPASS secret\r\n", Token);
            string[] expected = ["+OK", "+OK", "-ERR [AUTH]", "-ERR Send USER", "+OK", "-ERR [AUTH]"];
            foreach (var start in expected)
            {
                Assert.StartsWith(start, await client.ReadLineAsync(Token));
            }

            Assert.StartsWith("+OK", await client.CommandAsync("USER b@example.test", Token));
            Assert.StartsWith("+OK", await client.CommandAsync("PASS bsecret", Token));
            Assert.StartsWith("+OK 1 ", await client.CommandAsync("STAT", Token));
            Assert.StartsWith("+OK", await client.CommandAsync("RETR 1", Token));
            var body = string.Join('\n', await client.ReadBodyAsync(Token));
            Assert.Contains(fixture.MarkerOfB, body, StringComparison.Ordinal);
            Assert.DoesNotContain(fixture.MarkerOfA, body, StringComparison.Ordinal);
            Assert.StartsWith("-ERR", await client.CommandAsync("RETR 2", Token));
            Assert.StartsWith("+OK", await client.CommandAsync("QUIT", Token));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task HugeLinesAndSaslResponsesAreRefusedAndSkipped()
    {
        await using (var client = await GreetedAsync(Pop3Port))
        {
            var before = Server.RssKilobytes();
            await client.SendRepeatedAsync((byte)'A', 10 * 1024 * 1024, Token);
            await client.SendAsync("\r\nCAPA\r\n", Token);
            Assert.StartsWith("-ERR Line too long", await client.ReadLineAsync(Token));
            Assert.StartsWith("+OK", await client.ReadLineAsync(Token));
            await client.ReadBodyAsync(Token);

            await client.SendRepeatedAsync((byte)'B', 1024 * 1024, Token);
            Assert.StartsWith("-ERR Line too long", await client.CommandAsync(string.Empty, Token));

            Assert.StartsWith("+ ", await client.CommandAsync("AUTH PLAIN", Token));
            await client.SendRepeatedAsync((byte)'Q', 4 * 1024 * 1024, Token);
            Assert.StartsWith("-ERR ", await client.CommandAsync(string.Empty, Token));
            Assert.StartsWith("+ ", await client.CommandAsync("AUTH PLAIN", Token));
            Assert.StartsWith("-ERR [AUTH]", await client.CommandAsync(Base64(new string('x', 6000)), Token));
            AssertGrowthBelow(before, 48 * 1024, "10 MB, 1 MB and 4 MB lines");
            Assert.StartsWith("+OK", await client.CommandAsync("QUIT", Token));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task VeryLongOrAbsurdArgumentsAreRefused()
    {
        await using (var client = await LoggedInAsync(Pop3Port))
        {
            foreach (var line in new[]
            {
                "LIST " + string.Join(' ', Enumerable.Repeat("1", 120)), "TOP 1 99999999999", "RETR 4294967296", "UIDL 0",
                "DELE -1", "TOP 1", "USER " + new string('u', 250),
            })
            {
                Assert.StartsWith("-ERR", await client.CommandAsync(line, Token));
            }

            Assert.StartsWith("+OK 2 ", await client.CommandAsync("STAT", Token));
            Assert.StartsWith("+OK", await client.CommandAsync("QUIT", Token));
        }

        await AssertHealthyAsync();
    }

    [Theory]
    [InlineData(false, "pop3")] // dropped by the listener's idle timeout
    [InlineData(true, "pop3")]
    [InlineData(true, "patient")] // no idle timeout: dropped because it read no replies for CommandTimeout
    public async Task APipelinedFloodThatIsNeverReadMeetsBackpressureNotUnboundedBuffers(bool loggedIn, string listener)
    {
        var before = Server.RssKilobytes();
        var peak = before;
        var port = Server.Port("pop3", listener);
        await using (var client = loggedIn ? await LoggedInAsync(port) : await GreetedAsync(port))
        {
            // Each RETR 2 answers 2 MB, each CAPA a dozen lines: without backpressure, gigabytes of replies.
            var command = loggedIn ? "RETR 2\r\n" : "CAPA\r\n";
            var flood = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(command, loggedIn ? 200_000 : 2_000_000)));
            var write = client.TrySendAsync(flood, Token);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
            while (!write.IsCompleted && DateTime.UtcNow < deadline)
            {
                peak = Math.Max(peak, Server.RssKilobytes());
                await Task.WhenAny(write, Task.Delay(100, Token));
            }

            Assert.True(write.IsCompleted, "the flood write neither completed nor failed");
            await WaitForNoConnectionsAsync();
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"RSS {before / 1024} MB before the flood, peak {peak / 1024} MB");
        Assert.True(peak - before < 64 * 1024, $"RSS grew by {(peak - before) / 1024} MB while a client flooded without reading");
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task ThousandsOfPipelinedCommandsAreAllAnsweredInOrder()
    {
        await using (var client = await LoggedInAsync(Pop3Port))
        {
            var write = client.SendAsync(string.Concat(Enumerable.Repeat("NOOP\r\n", 10_000)) + "STAT\r\n", Token);
            for (var i = 0; i < 10_000; i++)
            {
                Assert.Equal("+OK", (await client.ReadLineAsync(Token))?[..3]);
            }

            Assert.StartsWith("+OK 2 ", await client.ReadLineAsync(Token));
            await write;
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task AbruptDisconnectsInEveryStateLoseNothingAndCrashNothing()
    {
        (string Name, Func<RawLineClient, Task> Reach)[] states =
        [
            ("before the greeting is read", _ => Task.CompletedTask),
            ("mid-command", async c => { Assert.StartsWith("+OK", await c.ReadLineAsync(Token)); await c.SendAsync("CAP", Token); }),
            ("after USER", async c => { Assert.StartsWith("+OK", await c.ReadLineAsync(Token)); Assert.StartsWith("+OK", await c.CommandAsync("USER a@example.test", Token)); }),
            ("logged in", LogInAsync),
            ("after DELE of everything", async c => { await LogInAsync(c); Assert.StartsWith("+OK", await c.CommandAsync("DELE 1", Token)); Assert.StartsWith("+OK", await c.CommandAsync("DELE 2", Token)); }),
            ("mid-RETR", async c => { await LogInAsync(c); Assert.StartsWith("+OK", await c.CommandAsync("RETR 2", Token)); }),
            ("mid-AUTH", async c => { Assert.StartsWith("+OK", await c.ReadLineAsync(Token)); Assert.StartsWith("+ ", await c.CommandAsync("AUTH PLAIN", Token)); await c.SendAsync("AGFA", Token); }),
            ("after STLS", async c => { Assert.StartsWith("+OK", await c.ReadLineAsync(Token)); Assert.StartsWith("+OK", await c.CommandAsync("STLS", Token)); }),
            ("mid-TLS handshake", async c => { Assert.StartsWith("+OK", await c.ReadLineAsync(Token)); Assert.StartsWith("+OK", await c.CommandAsync("STLS", Token)); await c.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 }, Token); }),
        ];
        foreach (var reset in new[] { false, true })
        {
            foreach (var (name, reach) in states)
            {
                var client = await ConnectAsync(Pop3Port);
                try
                {
                    await reach(client);
                }
                catch (Exception ex)
                {
                    throw new InvalidOperationException($"could not reach the state '{name}'", ex);
                }

                if (reset)
                {
                    client.Reset();
                }

                await client.DisposeAsync();
            }
        }

        await WaitForNoConnectionsAsync();
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task HalfClosedClientsGetEveryReplyThenTheConnectionEnds()
    {
        await using (var client = await ConnectAsync(Pop3Port))
        {
            await client.SendAsync("USER a@example.test\r\nPASS secret\r\nSTAT\r\nRETR 1\r\nQUIT\r\n", Token);
            client.ShutdownSend();
            var lines = await client.ReadUntilClosedAsync(CloseWait, Token);
            Assert.Contains(fixture.MarkerOfA, lines);
            Assert.StartsWith("+OK Bye", lines[^1]);
        }

        await using (var client = await ConnectAsync(Pop3Port))
        {
            await client.SendAsync("USER a@example.test\r\nPASS secret\r\nDELE 1\r\n", Token);
            client.ShutdownSend();
            var lines = await client.ReadUntilClosedAsync(CloseWait, Token);
            Assert.StartsWith("+OK", lines[^1]);
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task SlowAndSilentClientsAreCutOff()
    {
        var slowloris = Task.Run(async () =>
        {
            // One byte a second keeps the host's idle timer (3 s) from firing; the 5 s command deadline must.
            await using var client = await GreetedAsync(Pop3Port);
            var reader = client.ReadUntilClosedAsync(TimeSpan.FromSeconds(30), Token);
            for (var i = 0; i < 30 && !reader.IsCompleted; i++)
            {
                await client.TrySendAsync("CAPA"u8.ToArray().AsMemory(i % 4, 1), Token);
                await Task.WhenAny(reader, Task.Delay(1000, Token));
            }

            var lines = await reader;
            Assert.Single(lines);
            Assert.StartsWith("-ERR [SYS/TEMP] Autologout", lines[0]);
        }, Token);

        var silent = Task.Run(async () =>
        {
            await using var client = await GreetedAsync(Pop3Port);
            var lines = await client.ReadUntilClosedAsync(TimeSpan.FromSeconds(20), Token);
            Assert.Single(lines);
            Assert.StartsWith("-ERR [SYS/TEMP]", lines[0]);
        }, Token);

        var stalledHandshake = Task.Run(async () =>
        {
            // A TLS record header that promises more than ever comes, on a listener without an idle timeout.
            await using var client = await GreetedAsync(Server.Port("pop3", "patient"));
            Assert.StartsWith("+OK", await client.CommandAsync("STLS", Token));
            await client.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0x3f, 0xfc }, Token);
            await client.ReadUntilClosedAsync(TimeSpan.FromSeconds(60), Token);
        }, Token);

        await Task.WhenAll(slowloris, silent, stalledHandshake);
        await WaitForNoConnectionsAsync();
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task TlsConfusionEndsTheConnectionCleanly()
    {
        await using (var client = await GreetedAsync(Pop3Port))
        {
            Assert.StartsWith("+OK", await client.CommandAsync("STLS", Token));
            await client.TrySendAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("USER a@example.test\r\nPASS secret\r\n", 20))), Token);
            Assert.DoesNotContain(await client.ReadUntilClosedAsync(CloseWait, Token), l => l.StartsWith("+OK", StringComparison.Ordinal));
        }

        await using (var client = await GreetedAsync(Pop3Port))
        {
            Assert.StartsWith("+OK", await client.CommandAsync("STLS", Token));
            var garbage = new byte[4096];
            new Random(8).NextBytes(garbage);
            await client.TrySendAsync(garbage, Token);
            await client.ReadUntilClosedAsync(CloseWait, Token);
        }

        await using (var client = await ConnectAsync(Pop3Port))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => client.StartTlsAsync(Token));
        }

        await using (var client = await ConnectAsync(Server.Port("pop3", "pop3s")))
        {
            await client.TrySendAsync(Encoding.ASCII.GetBytes("USER a@example.test\r\nPASS secret\r\nQUIT\r\n"), Token);
            Assert.All(await client.ReadRawUntilClosedAsync(CloseWait, Token), b => Assert.NotEqual((byte)'+', b));
        }

        await WaitForNoConnectionsAsync();
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task SmtpOnThePop3PortGetsPop3Errors()
    {
        await using (var client = await GreetedAsync(Pop3Port))
        {
            foreach (var line in new[] { "EHLO attacker.test", "HELO attacker.test", "MAIL FROM:<a@remote.test>", "RCPT TO:<a@example.test>", "DATA", "STARTTLS" })
            {
                Assert.StartsWith("-ERR", await client.CommandAsync(line, Token));
            }

            Assert.StartsWith("+OK", await client.CommandAsync("QUIT", Token));
        }

        await AssertHealthyAsync();
    }

    private async Task AssertHealthyAsync()
    {
        Assert.True(Server.IsRunning, "the server process died:\n" + Server.LogTail());
        await using (var client = await LoggedInAsync(Pop3Port))
        {
            Assert.StartsWith("+OK 2 ", await client.CommandAsync("STAT", Token));
            Assert.StartsWith("+OK", await client.CommandAsync("RETR 1", Token));
            var body = await client.ReadBodyAsync(Token);
            Assert.Contains(fixture.MarkerOfA, body);
            Assert.DoesNotContain(fixture.MarkerOfB, body);
            Assert.StartsWith("+OK", await client.CommandAsync("QUIT", Token));
        }

        var logs = Server.Logs;
        var crashes = logs.Select((line, index) => (line, index)).Where(l => TestServer.IsCrashLine(l.line))
            .Select(l => string.Join('\n', logs.Skip(l.index).Take(8))).ToList();
        Assert.True(crashes.Count == 0, "the server logged failures:\n" + string.Join('\n', crashes));
        var rss = Server.RssKilobytes();
        Assert.True(rss - fixture.BaselineRssKb < RssAllowanceKb, $"RSS {rss / 1024} MB against a baseline of {fixture.BaselineRssKb / 1024} MB");
    }

    private static async Task<RawLineClient> ConnectAsync(int port) => await RawLineClient.ConnectAsync(port, Token);

    private static async Task<RawLineClient> GreetedAsync(int port)
    {
        var client = await ConnectAsync(port);
        Assert.StartsWith("+OK ", await client.ReadLineAsync(Token));
        return client;
    }

    private static async Task<RawLineClient> LoggedInAsync(int port)
    {
        var client = await ConnectAsync(port);
        await LogInAsync(client);
        return client;
    }

    private static async Task LogInAsync(RawLineClient client)
    {
        Assert.StartsWith("+OK ", await client.ReadLineAsync(Token));
        Assert.StartsWith("+OK", await client.CommandAsync("USER a@example.test", Token));
        Assert.StartsWith("+OK", await client.CommandAsync("PASS secret", Token));
    }

    private void AssertGrowthBelow(long beforeKb, long allowanceKb, string attack)
    {
        var after = Server.RssKilobytes();
        Assert.True(after - beforeKb < allowanceKb, $"RSS grew by {(after - beforeKb) / 1024} MB after {attack}");
    }

    private async Task WaitForNoConnectionsAsync()
    {
        await Server.WaitForNoConnectionsAsync("pop3", TimeSpan.FromSeconds(20), Token);
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    private static string Base64(string latin1) => Convert.ToBase64String(Encoding.Latin1.GetBytes(latin1));
}
