using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Extensible.Smtp.Tests.Support;
using Extensible.Testing;

namespace Extensible.Smtp.Tests;

/// <summary>One real server (Storage, Processing, SmtpReceiving) that a class of hostile clients shares.</summary>
public sealed class HostileSmtpFixture : IAsyncLifetime
{
    /// <summary>The server under attack.</summary>
    public TestServer Server { get; private set; } = null!;

    /// <summary>The server's resident memory after start-up and a warm-up session, in KiB.</summary>
    public long BaselineRssKb { get; private set; }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var token = TestContext.Current.CancellationToken;
        Server = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Processing", "SmtpReceiving"],
            LogLevel = "Information",
            Configure = config =>
            {
                var service = TestServer.Service(config, "smtp-receiving");
                service["MaxAuthErrors"] = 1000; // every connection comes from 127.0.0.1: no login penalty between attacks (0 is refused)
                service["Listeners"] = new JsonArray(
                    Listener("mx", idleTimeout: 3),
                    Listener("patient", idleTimeout: 0),
                    new JsonObject { ["Name"] = "smtps", ["Address"] = "127.0.0.1:0", ["ImplicitTls"] = true });
                TestServer.ServiceOptions(config, "smtp-receiving")["CommandTimeout"] = 5;
            },
        }, token);
        await Server.AddUserAsync("a@" + TestServer.DefaultDomain, "secret", token);
        for (var i = 0; i < 3; i++)
        {
            await HostileInputTests.DeliverAsync(Server.Port("smtp-receiving", "mx"), "warm-up " + i, token);
        }

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
        ["Options"] = new JsonObject { ["AllowPlainAuth"] = true },
    };
}

/// <summary>Bad input gets a clear SMTP error and nothing else: no crash, no unbounded memory, no other session's data.</summary>
public sealed class HostileInputTests(HostileSmtpFixture fixture) : IClassFixture<HostileSmtpFixture>
{
    private const long RssAllowanceKb = 160 * 1024;
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(15);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private TestServer Server => fixture.Server;

    private int MxPort => Server.Port("smtp-receiving", "mx");

    [Fact]
    public async Task RandomBytesGetOnlySmtpRepliesThenTheConnectionEnds()
    {
        var random = new Random(20_250_601);
        for (var i = 0; i < 40; i++)
        {
            await using var client = await ConnectAsync(MxPort);
            var garbage = new byte[random.Next(1, 16 * 1024)];
            random.NextBytes(garbage);
            await client.TrySendAsync(garbage, Token);
            client.TryShutdownSend();
            var lines = await client.ReadUntilClosedAsync(CloseWait, Token);
            Assert.All(lines, line => Assert.Matches(@"^[2-5]\d\d[ -]", line));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task NulBytesAndInvalidUtf8InCommandsAreSyntaxErrors()
    {
        await using (var client = await ConnectAsync(MxPort))
        {
            Assert.StartsWith("220 ", await client.ReadReplyAsync(Token));
            string[] bad = ["EHLO a\0b", "\xff\xfe\xfd", "MAIL FROM:<\xc0\xafa@b.test>", "NOOP \xed\xa0\x80", "\0\0\0\0", "RCPT TO:<a@example.test>\0"];
            foreach (var line in bad)
            {
                await client.SendAsync(Latin1(line + "\r\n"), Token);
                Assert.StartsWith("500 5.5.2", await client.ReadReplyAsync(Token));
            }

            Assert.StartsWith("250 ", await client.CommandAsync("NOOP", Token));
            Assert.StartsWith("221 ", await client.CommandAsync("QUIT", Token));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task GarbageInAuthIsRefusedAndTheSessionGoesOn()
    {
        await using (var client = await EhloAsync(MxPort))
        {
            (string Command, string Expected)[] cases =
            [
                ("AUTH PLAIN " + Base64("\0a@example.test\0\xff\xfe"), "501 5.5.2"),
                ("AUTH PLAIN " + Base64("a@example.test\0\0\0secret"), "501 5.5.2"),
                ("AUTH PLAIN " + Base64("no separators at all"), "501 5.5.2"),
                ("AUTH PLAIN ====", "501 5.5.2"),
                ("AUTH PLAIN !!not*base64!!", "501 5.5.2"),
                ("AUTH LOGIN " + Base64("\xc3\x28"), "501 5.5.2"),
                ("AUTH SCRAM-SHA-256 " + Base64("p=tls-unique,,n=a,r=x"), "501 5.5.2"),
                ("AUTH SCRAM-SHA-256 " + Base64("n,," + new string('r', 1000)), "501 5.5.2"),
                ("AUTH SCRAM-SHA-256 " + Base64("n,," + new string('r', 8000)), "500 5.5.2 Line too long"),
                ("AUTH NOSUCHMECH", "504 5.5.4"),
                ("AUTH PLAIN a b c", "501 5.5.4"),
            ];
            foreach (var (command, expected) in cases)
            {
                await client.SendAsync(Latin1(command + "\r\n"), Token);
                Assert.StartsWith(expected, await client.ReadReplyAsync(Token));
            }

            // Continuations: garbage base64, an invalid-UTF-8 user name, a cancelled exchange.
            Assert.StartsWith("334 ", await client.CommandAsync("AUTH LOGIN", Token));
            Assert.StartsWith("501 5.5.2", await client.CommandAsync("%%%%", Token));
            Assert.StartsWith("334 ", await client.CommandAsync("AUTH LOGIN", Token));
            Assert.StartsWith("501 5.5.2", await client.CommandAsync(Base64("\xff\xff"), Token));
            Assert.StartsWith("334 ", await client.CommandAsync("AUTH PLAIN", Token));
            Assert.StartsWith("501 5.0.0", await client.CommandAsync("*", Token));
            Assert.StartsWith("334 ", await client.CommandAsync("AUTH PLAIN", Token));
            await client.SendAsync(Latin1("AAAA\0AAAA\r\n"), Token);
            Assert.StartsWith("501 5.5.2", await client.ReadReplyAsync(Token));
            Assert.StartsWith("235 ", await client.CommandAsync("AUTH PLAIN " + Base64("\0a@example.test\0secret"), Token));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task AbsurdlyLongSaslResponsesAreRefusedWithoutBuffering()
    {
        await using (var client = await EhloAsync(MxPort))
        {
            // Just under the SASL line limit: decoded, handed to the mechanism, refused as malformed.
            Assert.StartsWith("334 ", await client.CommandAsync("AUTH PLAIN", Token));
            Assert.StartsWith("501 5.5.2", await client.CommandAsync(Base64(new string('x', 9000)), Token));

            // Far over it, with and without a line end in sight.
            Assert.StartsWith("334 ", await client.CommandAsync("AUTH LOGIN", Token));
            await client.SendRepeatedAsync((byte)'Q', 4 * 1024 * 1024, Token);
            Assert.StartsWith("500 5.5.2", await client.CommandAsync(string.Empty, Token));
            Assert.StartsWith("250 ", await client.CommandAsync("NOOP", Token));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task HugeLinesAreRefusedAndSkipped()
    {
        await using (var client = await ConnectAsync(MxPort))
        {
            Assert.StartsWith("220 ", await client.ReadReplyAsync(Token));
            var before = Server.RssKilobytes();
            await client.SendRepeatedAsync((byte)'A', 10 * 1024 * 1024, Token);
            await client.SendAsync("\r\nNOOP\r\n", Token);
            Assert.StartsWith("500 5.5.2 Line too long", await client.ReadReplyAsync(Token));
            Assert.StartsWith("250 ", await client.ReadReplyAsync(Token));

            await client.SendRepeatedAsync((byte)'B', 1024 * 1024, Token);
            Assert.StartsWith("500 5.5.2 Line too long", await client.CommandAsync(string.Empty, Token));
            Assert.StartsWith("250 ", await client.CommandAsync("NOOP", Token));
            AssertGrowthBelow(before, 48 * 1024, "10 MB and 1 MB command lines");

            // The same inside DATA: the message is refused, the session survives.
            Assert.StartsWith("250", await client.CommandAsync("EHLO long.test", Token));
            await BeginDataAsync(client);
            await client.SendAsync("Subject: long\r\n\r\n", Token);
            await client.SendRepeatedAsync((byte)'C', 1024 * 1024, Token);
            Assert.StartsWith("550 5.6.0", await client.CommandAsync("\r\n.", Token));
            Assert.StartsWith("221 ", await client.CommandAsync("QUIT", Token));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task VeryLongParameterListsAreRefused()
    {
        await using (var client = await EhloAsync(MxPort))
        {
            var manyParameters = string.Concat(Enumerable.Range(0, 300).Select(i => $" X{i}=Y"));
            Assert.Matches(@"^5\d\d ", await client.CommandAsync("MAIL FROM:<p@remote.test>" + manyParameters[..1900], Token));
            Assert.Matches(@"^5\d\d ", await client.CommandAsync("MAIL FROM:<" + new string('a', 1900) + "@remote.test>", Token));
            Assert.StartsWith("250 ", await client.CommandAsync("MAIL FROM:<p@remote.test>", Token));
            Assert.Matches(@"^5\d\d ", await client.CommandAsync("RCPT TO:<a@example.test> NOTIFY=" + string.Join(',', Enumerable.Repeat("SUCCESS", 200)), Token));
            Assert.Matches(@"^5\d\d ", await client.CommandAsync("RCPT TO:<a@example.test> ORCPT=rfc822;" + new string('o', 1500), Token));
            Assert.Matches(@"^5\d\d ", await client.CommandAsync("RCPT TO:<a@example.test>" + manyParameters[..1900], Token));
            Assert.Matches(@"^[25]\d\d[ -]", await client.CommandAsync("EHLO " + new string('h', 2000), Token));
            Assert.StartsWith("501 5.5.4", await client.CommandAsync("BDAT 10" + manyParameters[..1500], Token));
            Assert.Empty(await client.ReadUntilClosedAsync(CloseWait, Token));
        }

        await AssertHealthyAsync();
    }

    [Theory]
    [InlineData("mx")] // dropped by the listener's idle timeout
    [InlineData("patient")] // no idle timeout: dropped because it read no replies for CommandTimeout
    public async Task APipelinedFloodThatIsNeverReadMeetsBackpressureNotUnboundedBuffers(string listener)
    {
        var before = Server.RssKilobytes();
        var peak = before;
        await using (var client = await ConnectAsync(Server.Port("smtp-receiving", listener)))
        {
            // 3 million HELP commands in one write: about 250 MB of replies if the server queued them all.
            var flood = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("HELP\r\n", 3_000_000)));
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
        await using (var client = await EhloAsync(MxPort))
        {
            var batch = new StringBuilder("MAIL FROM:<p@remote.test>\r\n");
            for (var i = 0; i < 10_000; i++)
            {
                batch.Append("RCPT TO:<a@example.test>\r\n");
            }

            batch.Append("RSET\r\n");
            for (var i = 0; i < 10_000; i++)
            {
                batch.Append("NOOP\r\n");
            }

            var write = client.SendAsync(batch.ToString(), Token);
            Assert.StartsWith("250 2.1.0", await client.ReadReplyAsync(Token));
            for (var i = 0; i < 10_000; i++)
            {
                Assert.StartsWith("250 2.1.5", await client.ReadReplyAsync(Token));
            }

            for (var i = 0; i < 10_001; i++)
            {
                Assert.StartsWith("250 2.0.0", await client.ReadReplyAsync(Token));
            }

            await write;

            // 10,000 recipients the server must refuse: the error limit ends the session long before the last.
            var refused = new StringBuilder("MAIL FROM:<p@remote.test>\r\n");
            for (var i = 0; i < 10_000; i++)
            {
                refused.Append(CultureInfo.InvariantCulture, $"RCPT TO:<r{i}@remote.test>\r\n");
            }

            var refusedWrite = client.TrySendAsync(Encoding.ASCII.GetBytes(refused.ToString()), Token);
            var lines = await client.ReadUntilClosedAsync(CloseWait, Token);
            await refusedWrite;
            Assert.StartsWith("250 2.1.0", lines[0]);
            Assert.StartsWith("421 4.7.0", lines[^1]);
            Assert.InRange(lines.Count, 3, 12);
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task MessagesWithThousandsOfHeaderLinesAreHandled()
    {
        await using (var client = await EhloAsync(MxPort))
        {
            await BeginDataAsync(client);
            var message = new StringBuilder();
            for (var i = 0; i < 10_000; i++)
            {
                message.Append(CultureInfo.InvariantCulture, $"X-H{i}: v\r\n");
            }

            message.Append("Subject: many headers\r\n\r\nbody\r\n.\r\n");
            await client.SendAsync(message.ToString(), Token);
            Assert.StartsWith("250 2.0.0 Ok: queued", await client.ReadReplyAsync(Token));

            await BeginDataAsync(client);
            await client.SendAsync(string.Concat(Enumerable.Repeat("Received: from x by y; Mon, 1 Jan 2024 00:00:00 +0000\r\n", 10_000)) + "\r\nloop\r\n.\r\n", Token);
            Assert.StartsWith("554 5.4.6", await client.ReadReplyAsync(Token));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task AbruptDisconnectsInEveryStateLeaveNoTraceAndNoCrash()
    {
        var marker = "LEAK-" + Guid.NewGuid().ToString("n");
        (string Name, Func<RawLineClient, Task> Reach)[] states =
        [
            ("before the greeting is read", _ => Task.CompletedTask),
            ("mid-command", c => GreetedAsync(c, "EHLO half-a-comm")),
            ("after EHLO", c => EhloOnAsync(c)),
            ("after MAIL", async c => { await EhloOnAsync(c); Assert.StartsWith("250", await c.CommandAsync("MAIL FROM:<p@remote.test>", Token)); }),
            ("after RCPT", async c => { await EhloOnAsync(c); await MailRcptAsync(c); }),
            ("mid-DATA", async c => { await EhloOnAsync(c); await BeginDataAsync(c); await c.SendAsync($"Subject: {marker}\r\n\r\n{marker}\r\n", Token); }),
            ("DATA without the final CRLF", async c => { await EhloOnAsync(c); await BeginDataAsync(c); await c.SendAsync($"Subject: x\r\n\r\n{marker}\r\n.", Token); }),
            ("mid-BDAT chunk", async c => { await EhloOnAsync(c); await MailRcptAsync(c); await c.SendAsync($"BDAT 100000 LAST\r\nSubject: {marker}\r\n", Token); }),
            ("BDAT with a huge size", async c => { await EhloOnAsync(c); await MailRcptAsync(c); await c.SendAsync("BDAT 9000000000000000000 LAST\r\n", Token); await c.SendRepeatedAsync((byte)'Z', 1024 * 1024, Token); }),
            ("BDAT without a transaction", async c => { await EhloOnAsync(c); await c.SendAsync("BDAT 5000000\r\n" + marker, Token); }),
            ("mid-AUTH LOGIN", async c => { await EhloOnAsync(c); Assert.StartsWith("334", await c.CommandAsync("AUTH LOGIN", Token)); }),
            ("mid-AUTH PLAIN", async c => { await EhloOnAsync(c); Assert.StartsWith("334", await c.CommandAsync("AUTH PLAIN", Token)); await c.SendAsync("AGFA", Token); }),
            ("after STARTTLS", async c => { await EhloOnAsync(c); Assert.StartsWith("220", await c.CommandAsync("STARTTLS", Token)); }),
            ("mid-TLS handshake", async c => { await EhloOnAsync(c); Assert.StartsWith("220", await c.CommandAsync("STARTTLS", Token)); await c.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00 }, Token); }),
        ];
        foreach (var reset in new[] { false, true })
        {
            foreach (var (name, reach) in states)
            {
                var client = await ConnectAsync(MxPort);
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
        Assert.Empty(await FilesContainingAsync(marker));
    }

    [Fact]
    public async Task HalfClosedClientsGetEveryReplyThenTheConnectionEnds()
    {
        await using (var client = await ConnectAsync(MxPort))
        {
            await client.SendAsync("EHLO half.test\r\nMAIL FROM:<p@remote.test>\r\nRCPT TO:<a@example.test>\r\nDATA\r\nSubject: half\r\n\r\nbody\r\n.\r\n", Token);
            client.ShutdownSend();
            var lines = await client.ReadUntilClosedAsync(CloseWait, Token);
            Assert.StartsWith("220 ", lines[0]);
            Assert.StartsWith("250 2.0.0 Ok: queued", lines[^1]);
        }

        await using (var client = await ConnectAsync(MxPort))
        {
            await client.SendAsync("EHLO half.test\r\nMAIL FROM:<p@remote.test>\r\nRCPT TO:<a@example.test>\r\nDATA\r\nSubject: cut\r\n\r\nbody", Token);
            client.ShutdownSend();
            var lines = await client.ReadUntilClosedAsync(CloseWait, Token);
            Assert.StartsWith("354 ", lines[^1]);
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task SlowAndSilentClientsAreCutOff()
    {
        var slowloris = Task.Run(async () =>
        {
            // One byte a second keeps the host's idle timer (3 s) from firing; the 5 s command deadline must.
            await using var client = await ConnectAsync(MxPort);
            Assert.StartsWith("220 ", await client.ReadLineAsync(Token));
            var reader = client.ReadUntilClosedAsync(TimeSpan.FromSeconds(30), Token);
            for (var i = 0; i < 30 && !reader.IsCompleted; i++)
            {
                await client.TrySendAsync("NOOP"u8.ToArray().AsMemory(i % 4, 1), Token);
                await Task.WhenAny(reader, Task.Delay(1000, Token));
            }

            var lines = await reader;
            Assert.Single(lines);
            Assert.StartsWith("421 4.4.2", lines[0]);
        }, Token);

        var silent = Task.Run(async () =>
        {
            await using var client = await ConnectAsync(MxPort);
            Assert.StartsWith("220 ", await client.ReadLineAsync(Token));
            var lines = await client.ReadUntilClosedAsync(TimeSpan.FromSeconds(20), Token);
            Assert.Equal(["421 4.4.2 mail.example.test Idle timeout, closing connection"], lines);
        }, Token);

        var stalledHandshake = Task.Run(async () =>
        {
            // A TLS record header that promises more than ever comes, on a listener without an idle timeout.
            await using var client = await ConnectAsync(Server.Port("smtp-receiving", "patient"));
            await EhloOnAsync(client);
            Assert.StartsWith("220 ", await client.CommandAsync("STARTTLS", Token));
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
        // STARTTLS, then plain text instead of a handshake.
        await using (var client = await EhloAsync(MxPort))
        {
            Assert.StartsWith("220 ", await client.CommandAsync("STARTTLS", Token));
            await client.TrySendAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("MAIL FROM:<evil@remote.test>\r\n", 20))), Token);
            await client.ReadUntilClosedAsync(CloseWait, Token);
        }

        // STARTTLS, then random bytes.
        await using (var client = await EhloAsync(MxPort))
        {
            Assert.StartsWith("220 ", await client.CommandAsync("STARTTLS", Token));
            var garbage = new byte[4096];
            new Random(7).NextBytes(garbage);
            await client.TrySendAsync(garbage, Token);
            await client.ReadUntilClosedAsync(CloseWait, Token);
        }

        // A TLS handshake on the plain port: the client fails, the server answers only in SMTP.
        await using (var client = await ConnectAsync(MxPort))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => client.StartTlsAsync(Token));
        }

        // Plain SMTP on the implicit-TLS port.
        await using (var client = await ConnectAsync(Server.Port("smtp-receiving", "smtps")))
        {
            await client.TrySendAsync(Encoding.ASCII.GetBytes("EHLO plain.test\r\nQUIT\r\n"), Token);
            Assert.All(await client.ReadRawUntilClosedAsync(CloseWait, Token), b => Assert.NotEqual((byte)'2', b));
        }

        await WaitForNoConnectionsAsync();
        await AssertHealthyAsync();
    }

    [Fact]
    public async Task OtherProtocolsOnTheSmtpPortGetSmtpErrors()
    {
        await using (var client = await ConnectAsync(MxPort))
        {
            Assert.StartsWith("220 ", await client.ReadReplyAsync(Token));
            foreach (var line in new[] { "USER a@example.test", "PASS secret", "STAT", "RETR 1", "a1 LOGIN a@example.test secret", "GET / HTTP/1.1" })
            {
                Assert.StartsWith("500 5.5.1", await client.CommandAsync(line, Token));
            }

            Assert.StartsWith("221 ", await client.CommandAsync("QUIT", Token));
        }

        await AssertHealthyAsync();
    }

    /// <summary>Runs a whole well-formed session: greeting, EHLO, MAIL, RCPT, DATA, QUIT.</summary>
    internal static async Task DeliverAsync(int port, string subject, CancellationToken cancellationToken)
    {
        await using var client = await RawLineClient.ConnectAsync(port, cancellationToken);
        Assert.StartsWith("220 ", await client.ReadReplyAsync(cancellationToken));
        Assert.StartsWith("250", await client.CommandAsync("EHLO fresh.test", cancellationToken));
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<fresh@remote.test>", cancellationToken));
        Assert.StartsWith("250 2.1.5", await client.CommandAsync("RCPT TO:<a@example.test>", cancellationToken));
        Assert.StartsWith("354 ", await client.CommandAsync("DATA", cancellationToken));
        await client.SendAsync($"Subject: {subject}\r\n\r\n{subject}\r\n.\r\n", cancellationToken);
        Assert.StartsWith("250 2.0.0 Ok: queued", await client.ReadReplyAsync(cancellationToken));
        Assert.StartsWith("221 ", await client.CommandAsync("QUIT", cancellationToken));
    }

    private async Task AssertHealthyAsync()
    {
        Assert.True(Server.IsRunning, "the server process died:\n" + Server.LogTail());
        var marker = "FRESH-" + Guid.NewGuid().ToString("n");
        await DeliverWithReplyAsync(marker);
        var logs = Server.Logs;
        var crashes = logs.Select((line, index) => (line, index)).Where(l => TestServer.IsCrashLine(l.line))
            .Select(l => string.Join('\n', logs.Skip(l.index).Take(8))).ToList();
        Assert.True(crashes.Count == 0, "the server logged failures:\n" + string.Join('\n', crashes));
        var rss = Server.RssKilobytes();
        Assert.True(rss - fixture.BaselineRssKb < RssAllowanceKb, $"RSS {rss / 1024} MB against a baseline of {fixture.BaselineRssKb / 1024} MB");
    }

    private async Task DeliverWithReplyAsync(string subject)
    {
        await using var client = await EhloAsync(MxPort);
        await MailRcptAsync(client);
        Assert.StartsWith("354 ", await client.CommandAsync("DATA", Token));
        await client.SendAsync($"Subject: {subject}\r\n\r\n{subject}\r\n.\r\n", Token);
        Assert.StartsWith("250 2.0.0 Ok: queued", await client.ReadReplyAsync(Token));
        Assert.StartsWith("221 ", await client.CommandAsync("QUIT", Token));
    }

    private void AssertGrowthBelow(long beforeKb, long allowanceKb, string attack)
    {
        var after = Server.RssKilobytes();
        Assert.True(after - beforeKb < allowanceKb, $"RSS grew by {(after - beforeKb) / 1024} MB after {attack}");
    }

    private async Task WaitForNoConnectionsAsync()
    {
        await Server.WaitForNoConnectionsAsync("smtp-receiving", TimeSpan.FromSeconds(20), Token);
    }

    private async Task<List<string>> FilesContainingAsync(string marker)
    {
        var needle = Encoding.ASCII.GetBytes(marker);
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Server.DataDirectory, "*", SearchOption.AllDirectories))
        {
            if (file.EndsWith(".log", StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                var bytes = await File.ReadAllBytesAsync(file, Token);
                if (bytes.AsSpan().IndexOf(needle) >= 0)
                {
                    found.Add(file);
                }
            }
            catch (IOException)
            {
            }
        }

        return found;
    }

    private static async Task<RawLineClient> ConnectAsync(int port) => await RawLineClient.ConnectAsync(port, Token);

    private static async Task<RawLineClient> EhloAsync(int port)
    {
        var client = await ConnectAsync(port);
        await EhloOnAsync(client);
        return client;
    }

    private static async Task GreetedAsync(RawLineClient client, string partial)
    {
        Assert.StartsWith("220 ", await client.ReadReplyAsync(Token));
        await client.SendAsync(partial, Token);
    }

    private static async Task EhloOnAsync(RawLineClient client)
    {
        Assert.StartsWith("220 ", await client.ReadReplyAsync(Token));
        Assert.StartsWith("250", await client.CommandAsync("EHLO attacker.test", Token));
    }

    private static async Task MailRcptAsync(RawLineClient client)
    {
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<p@remote.test>", Token));
        Assert.StartsWith("250 2.1.5", await client.CommandAsync("RCPT TO:<a@example.test>", Token));
    }

    private static async Task BeginDataAsync(RawLineClient client)
    {
        await MailRcptAsync(client);
        Assert.StartsWith("354 ", await client.CommandAsync("DATA", Token));
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    private static string Base64(string latin1) => Convert.ToBase64String(Encoding.Latin1.GetBytes(latin1));
}
