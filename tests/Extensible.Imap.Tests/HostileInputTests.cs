using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Extensible.Testing;

namespace Extensible.Imap.Tests;

/// <summary>One real server (Storage and Imap) that a class of hostile IMAP clients shares.</summary>
public sealed class HostileImapFixture : IAsyncLifetime
{
    /// <summary>The server under attack.</summary>
    public TestServer Server { get; private set; } = null!;

    /// <summary>A text only user a's first message (UID 1) holds.</summary>
    public string MarkerOfA { get; } = "A-MARKER-" + Guid.NewGuid().ToString("n");

    /// <summary>A text only user b's message holds.</summary>
    public string MarkerOfB { get; } = "B-MARKER-" + Guid.NewGuid().ToString("n");

    /// <summary>The server process's temporary folder, where APPEND literals spool.</summary>
    public string SpoolDirectory { get; } = Path.Combine(Path.GetTempPath(), "extensible-imap-hostile-" + Guid.NewGuid().ToString("n")[..8]);

    /// <summary>The server's resident memory after start-up and a warm-up session, in KiB.</summary>
    public long BaselineRssKb { get; private set; }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var token = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(SpoolDirectory);
        Server = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Imap"],
            LogLevel = "Information",
            Environment = new Dictionary<string, string> { ["TMPDIR"] = SpoolDirectory },
            Configure = config =>
            {
                var service = TestServer.Service(config, "imap");
                service["MaxErrors"] = 50;
                service["MaxAuthErrors"] = 1000; // every connection comes from 127.0.0.1: no login penalty between attacks
                service["Listeners"] = new JsonArray(
                    new JsonObject { ["Name"] = "imap", ["Address"] = "127.0.0.1:0", ["IdleTimeout"] = 4 },
                    new JsonObject { ["Name"] = "patient", ["Address"] = "127.0.0.1:0", ["IdleTimeout"] = 0 },
                    new JsonObject { ["Name"] = "imaps", ["Address"] = "127.0.0.1:0", ["ImplicitTls"] = true });
                var options = TestServer.ServiceOptions(config, "imap");
                options["PlainConnAllowLogin"] = true;
                options["LoginTimeout"] = 4;
                options["AutoLogout"] = 8;
                options["IdleKeepalive"] = 0;
            },
        }, token);
        await Server.AddUserAsync("a@" + TestServer.DefaultDomain, "secret", token);
        await Server.AddUserAsync("b@" + TestServer.DefaultDomain, "bsecret", token);
        var big = new StringBuilder("Subject: big\r\n\r\n");
        while (big.Length < 2 * 1024 * 1024)
        {
            big.Append("some text to fill a line of the big message, line after line after line\r\n");
        }

        var port = Server.Port("imap", "imap");
        await AppendAsync(port, "a@example.test", "secret", [$"Subject: small\r\n\r\n{MarkerOfA}\r\n", big.ToString()], null, token);
        await AppendAsync(port, "b@example.test", "bsecret", [$"Subject: private\r\n\r\n{MarkerOfB}\r\n"], "BSecret", token);
        BaselineRssKb = Server.RssKilobytes();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        Directory.Delete(SpoolDirectory, recursive: true);
    }

    private static async Task AppendAsync(int port, string user, string password, string[] messages, string? folder, CancellationToken token)
    {
        await using var client = await RawLineClient.ConnectAsync(port, token);
        await client.ReadLineAsync(token);
        Assert.StartsWith("l OK", await client.TaggedAsync("l", $"LOGIN {user} {password}", token));
        foreach (var message in messages)
        {
            Assert.StartsWith("p OK", await client.TaggedAsync("p", $"APPEND INBOX {{{Encoding.ASCII.GetByteCount(message)}+}}\r\n{message}", token));
        }

        if (folder is not null)
        {
            Assert.StartsWith("c OK", await client.TaggedAsync("c", "CREATE " + folder, token));
            Assert.StartsWith("p OK", await client.TaggedAsync("p", $"APPEND {folder} {{{messages[0].Length}+}}\r\n{messages[0]}", token));
        }
    }
}

/// <summary>Bad input gets a clear IMAP error and nothing else: no crash, no unbounded memory, no other user's data.</summary>
public sealed class HostileInputTests(HostileImapFixture fixture) : IClassFixture<HostileImapFixture>
{
    private const long RssAllowanceKb = 160 * 1024;
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(15);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private TestServer Server => fixture.Server;

    private int ImapPort => Server.Port("imap", "imap");

    [Fact]
    public async Task RandomBytesGetOnlyImapRepliesThenTheConnectionEnds()
    {
        var random = new Random(20_251_129);
        for (var i = 0; i < 40; i++)
        {
            await using var client = await ConnectAsync(ImapPort);
            Assert.StartsWith("* OK ", await client.ReadLineAsync(Token));
            var garbage = new byte[random.Next(1, 16 * 1024)];
            random.NextBytes(garbage);
            await client.TrySendAsync(garbage, Token);
            client.TryShutdownSend();
            var lines = await client.ReadUntilClosedAsync(CloseWait, Token);
            Assert.All(lines, line => Assert.Matches(@"^(\* (OK|BAD|BYE|NO) |\+ |[\x21-\x7e]+ (OK|NO|BAD) )", line));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task NulBytesAndInvalidUtf8AreBadEverywhere()
    {
        await using (var client = await GreetedAsync(ImapPort))
        {
            foreach (var line in new[] { "\0a NOOP", "\xff\xfe NOOP", "\xc0\xaf" })
            {
                await client.SendAsync(Latin1(line + "\r\n"), Token);
                Assert.StartsWith("* BAD ", await client.ReadLineAsync(Token));
            }

            foreach (var (tag, rest) in new[]
            {
                ("t1", "NO\0OP"), ("t2", "LOGIN a@example.test\0 secret"), ("t3", "LOGIN \"a@example.test\0\" secret"),
                ("t4", "LOGIN \"\xed\xa0\x80\" secret"), ("t5", "LOGIN {3+}\r\n\xff\0\xfe secret"), ("t6", "CAPABILITY\xff"),
                ("t7", "AUTHENTICATE PLAIN \0\xff"),
            })
            {
                await client.SendAsync(Latin1($"{tag} {rest}\r\n"), Token);
                Assert.Matches($"^{tag} (BAD|NO) ", await client.ReadLineAsync(Token));
            }
        }

        await using (var client = await SelectedAsync(ImapPort))
        {
            foreach (var (tag, rest) in new[]
            {
                ("s1", "SELECT \"IN\0BOX\""), ("s2", "SELECT \"\xff\xfe\""), ("s3", "STATUS \"\xed\xa0\x80\" (MESSAGES)"),
                ("s4", "CREATE {3+}\r\n\xff\0\xfe"), ("s5", "SEARCH SUBJECT \"\xc0\xaf\""), ("s6", "SEARCH CHARSET UTF-8 SUBJECT {2+}\r\n\xc0\xaf"),
                ("s7", "FETCH 1 (BODY[HEADER.FIELDS (\"\0\")])"), ("s8", "STORE 1 +FLAGS (\xff)"), ("s9", "COPY 1 \"\0\""),
                ("s10", "LIST \"\" \"\xff*\""), ("s11", "RENAME \"\xc0\xaf\" x"),
            })
            {
                await client.SendAsync(Latin1($"{tag} {rest}\r\n"), Token);
                Assert.Matches($"^{tag} (BAD|NO) ", (await client.ReadUntilTaggedAsync(tag, Token))[^1]);
            }

            // A stored message that is not a message at all (appended here, or delivered) must not break FETCH or SEARCH.
            await client.SendAsync(Latin1("n1 APPEND INBOX {8+}\r\n\0\xff\xfe\r\n\r\n\xc0\n"), Token);
            var appended = (await client.ReadUntilTaggedAsync("n1", Token))[^1];
            Assert.StartsWith("n1 OK [APPENDUID ", appended);
            var uid = appended.Split(' ')[4].TrimEnd(']');
            await AssertAllAnsweredAsync(client, "q", [$"UID FETCH {uid} (ENVELOPE BODYSTRUCTURE BODY RFC822.SIZE)", $"UID FETCH {uid} (BODY.PEEK[TEXT] BODY.PEEK[1] BODY.PEEK[HEADER] BINARY.PEEK[1] BINARY.SIZE[1])", "SEARCH TEXT x", "SEARCH BODY x", "SEARCH HEADER Subject x", "SEARCH SUBJECT x", "SORT (SUBJECT DATE FROM) UTF-8 ALL", "THREAD REFERENCES UTF-8 ALL", "THREAD ORDEREDSUBJECT UTF-8 ALL"]);
            Assert.StartsWith("n2 OK", await client.TaggedAsync("n2", "NOOP", Token));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task HugeLinesAreRefusedAndSkipped()
    {
        await using (var client = await SelectedAsync(ImapPort))
        {
            var before = Server.RssKilobytes();
            await client.SendRepeatedAsync((byte)'A', 10 * 1024 * 1024, Token);
            await client.SendAsync("\r\nh1 NOOP\r\n", Token);
            Assert.StartsWith("* BAD [TOOBIG]", await client.ReadLineAsync(Token));
            Assert.StartsWith("h1 OK", await client.ReadLineAsync(Token));
            await client.SendAsync("h2 FETCH 1 " + new string('(', 100_000) + "\r\nh3 NOOP\r\n", Token);
            Assert.StartsWith("* BAD [TOOBIG]", await client.ReadLineAsync(Token));
            Assert.StartsWith("h3 OK", await client.ReadLineAsync(Token));
            await client.SendAsync("h4 FETCH " + string.Join(',', Enumerable.Repeat("1", 100_000)) + " UID\r\nh5 NOOP\r\n", Token);
            Assert.StartsWith("* BAD [TOOBIG]", await client.ReadLineAsync(Token));
            Assert.StartsWith("h5 OK", await client.ReadLineAsync(Token));
            AssertGrowthBelow(before, 48 * 1024, "10 MB and 200 KB lines");
        }

        await using (var client = await GreetedAsync(ImapPort))
        {
            // A 10 MB line that never ends, then the connection closes: nothing buffered, nothing logged.
            await client.SendRepeatedAsync((byte)'B', 10 * 1024 * 1024, Token);
            client.TryShutdownSend();
            Assert.All(await client.ReadUntilClosedAsync(CloseWait, Token), line => Assert.StartsWith("* B", line));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task AbsurdLiteralsAreRefusedWithoutReadingThem()
    {
        await using (var client = await GreetedAsync(ImapPort))
        {
            foreach (var (tag, size) in new[] { ("l1", "4294967296"), ("l2", "99999999999999999999"), ("l3", "9223372036854775808"), ("l4", "9999999999999999999"), ("l5", "70000") })
            {
                await client.SendLineAsync($"{tag} LOGIN {{{size}}}", Token);
                Assert.StartsWith($"{tag} NO [TOOBIG]", await client.ReadLineAsync(Token));
            }

            Assert.StartsWith("l6 OK", await client.TaggedAsync("l6", "NOOP", Token));
        }

        foreach (var size in new[] { "70000+", "99999999999999999999+", "9223372036854775808+", "18446744073709551615+" })
        {
            await using var client = await GreetedAsync(ImapPort);
            await client.TrySendAsync(Encoding.ASCII.GetBytes($"n LOGIN {{{size}}}\r\nsecret\r\n"), Token);
            var lines = await client.ReadUntilClosedAsync(CloseWait, Token);
            Assert.StartsWith("* BYE [TOOBIG]", Assert.Single(lines));
        }

        await using (var client = await SelectedAsync(ImapPort))
        {
            foreach (var (tag, size) in new[] { ("a1", "4294967296"), ("a2", "99999999999999999999"), ("a3", "67108865") })
            {
                await client.SendLineAsync($"{tag} APPEND INBOX {{{size}}}", Token);
                Assert.StartsWith($"{tag} NO [TOOBIG]", await client.ReadLineAsync(Token));
            }

            await client.TrySendAsync(Encoding.ASCII.GetBytes("a4 APPEND INBOX {67108865+}\r\nSubject: x\r\n"), Token);
            Assert.StartsWith("* BYE [TOOBIG]", Assert.Single(await client.ReadUntilClosedAsync(CloseWait, Token)));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task DeepNestingIsBadNotAStackOverflow()
    {
        var deep = new string('(', 60_000);
        var nots = string.Concat(Enumerable.Repeat("NOT ", 15_000)) + "ALL";
        var ors = string.Concat(Enumerable.Repeat("OR 1 ", 12_000)) + "1";
        await using (var client = await LoggedInAsync(ImapPort))
        {
            var commands = new[]
            {
                "SELECT INBOX " + deep, "STATUS INBOX " + deep, "LIST " + deep, "LIST \"\" * RETURN " + deep, "APPEND INBOX " + deep,
                "ENABLE " + deep, "ID " + deep, "CREATE x " + deep,
            };
            await AssertAllRefusedAsync(client, "d", commands);
            Assert.StartsWith("s OK", await client.TaggedAsync("s", "SELECT INBOX", Token));
            commands =
            [
                "FETCH 1 " + deep, "FETCH 1 (BODY[HEADER.FIELDS " + deep + "])", "FETCH 1 (FLAGS) " + deep, "UID FETCH 1 " + deep,
                "SEARCH " + deep, "UID SEARCH " + deep, "SEARCH RETURN " + deep, "SEARCH " + nots, "SEARCH " + ors,
                "SORT " + deep, "SORT (DATE) UTF-8 " + deep, "THREAD REFERENCES UTF-8 " + deep, "STORE 1 FLAGS " + deep,
                "STORE 1 " + deep, "COPY 1 " + deep,
            ];
            await AssertAllRefusedAsync(client, "e", commands);
            var wide = await client.CommandAsync("w", "SEARCH " + string.Concat(Enumerable.Repeat("(OR 1 2) ", 6_000)) + "ALL", Token);
            Assert.StartsWith("* SEARCH 1 2", wide[0]);
            Assert.StartsWith("w OK", wide[^1]);
            Assert.StartsWith("z OK", await client.TaggedAsync("z", "NOOP", Token));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task ExtremeSequenceSetsAreAnsweredWithinTheMailbox()
    {
        await using (var client = await SelectedAsync(ImapPort))
        {
            await AssertAllRefusedAsync(client, "b", ["FETCH 1:4294967295 FLAGS", "FETCH 4294967296 FLAGS", "UID FETCH 4294967296 UID", "FETCH 0:1 UID", "STORE 1:4294967295 +FLAGS (x)", "COPY 99999 INBOX", "SEARCH 4294967296", "FETCH 1:-1 UID", "UID FETCH 1:99999999999 UID"]);
            var all = await client.CommandAsync("u", "UID FETCH 1:4294967295 UID", Token);
            Assert.Equal("* 1 FETCH (UID 1)", all[0]);
            Assert.All(all.SkipLast(1), line => Assert.Matches(@"^\* \d+ FETCH \(UID \d+\)$", line));
            Assert.StartsWith("u OK", all[^1]);
            var ones = await client.CommandAsync("o", "FETCH " + string.Join(',', Enumerable.Repeat("1", 30_000)) + " UID", Token);
            Assert.Equal(["* 1 FETCH (UID 1)"], ones.SkipLast(1));
            var stars = await client.CommandAsync("r", "UID SEARCH UID " + string.Join(',', Enumerable.Repeat("1:*", 15_000)), Token);
            Assert.StartsWith("* SEARCH 1 ", stars[0]);
            Assert.StartsWith("s OK", await client.TaggedAsync("s", "SEARCH 1:4294967295", Token));
        }

        await AssertHealthyAsync();
    }

    [Theory]
    [InlineData(false, "imap")] // dropped by the listener's idle timeout
    [InlineData(true, "imap")]
    [InlineData(false, "patient")] // no idle timeout: dropped because it read no replies
    [InlineData(true, "patient")]
    public async Task APipelinedFloodThatIsNeverReadMeetsBackpressureNotUnboundedBuffers(bool loggedIn, string listener)
    {
        var before = Server.RssKilobytes();
        var peak = before;
        var port = Server.Port("imap", listener);
        await using (var client = loggedIn ? await SelectedAsync(port) : await GreetedAsync(port))
        {
            // Each UID FETCH 2 answers 2 MB, each CAPABILITY a long line: without backpressure, gigabytes of replies.
            var command = loggedIn ? "f UID FETCH 2 BODY.PEEK[]\r\n" : "c CAPABILITY\r\n";
            var flood = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(command, loggedIn ? 100_000 : 1_000_000)));
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
        await using (var client = await SelectedAsync(ImapPort))
        {
            var write = client.SendAsync(string.Concat(Enumerable.Range(0, 10_000).Select(i => $"p{i} NOOP\r\n")) + "last UID FETCH 1 UID\r\n", Token);
            for (var i = 0; i < 10_000; i++)
            {
                Assert.StartsWith($"p{i} OK", await client.ReadLineAsync(Token));
            }

            Assert.Equal(["* 1 FETCH (UID 1)"], (await client.ReadUntilTaggedAsync("last", Token)).SkipLast(1));
            await write;
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task AbruptDisconnectsInEveryStateCrashNothingAndLeaveNoSpoolFiles()
    {
        (string Name, Func<RawLineClient, Task> Reach)[] states =
        [
            ("before the greeting is read", _ => Task.CompletedTask),
            ("mid-command", async c => { Assert.StartsWith("* OK", await c.ReadLineAsync(Token)); await c.SendAsync("a CAPA", Token); }),
            ("mid-LOGIN literal", async c => { Assert.StartsWith("* OK", await c.ReadLineAsync(Token)); await c.SendAsync("a LOGIN {100+}\r\nabc", Token); }),
            ("selected", async c => await SelectAsync(c)),
            ("mid-APPEND spooled literal", async c => { await SelectAsync(c); await c.SendAsync("a APPEND INBOX {1000000+}\r\n" + new string('x', 300_000), Token); }),
            ("mid-APPEND synchronizing literal", async c => { await SelectAsync(c); Assert.StartsWith("+ ", await c.LineAsync("a APPEND INBOX {1000000}", Token)); await c.SendAsync(new string('y', 200_000), Token); }),
            ("mid-MULTIAPPEND", async c => { await SelectAsync(c); await c.SendAsync("a APPEND INBOX {70000+}\r\n" + new string('z', 70_000) + " {80000+}\r\n" + new string('z', 100), Token); }),
            ("in IDLE", async c => { await SelectAsync(c); Assert.StartsWith("+ ", await c.LineAsync("i IDLE", Token)); }),
            ("mid-IDLE DONE", async c => { await SelectAsync(c); Assert.StartsWith("+ ", await c.LineAsync("i IDLE", Token)); await c.SendAsync("DO", Token); }),
            ("mid-FETCH of a large message", async c => { await SelectAsync(c); await c.SendLineAsync("f UID FETCH 2 BODY[]", Token); Assert.StartsWith("* 2 FETCH", await c.ReadLineAsync(Token)); }),
            ("mid-AUTHENTICATE", async c => { Assert.StartsWith("* OK", await c.ReadLineAsync(Token)); await c.SendLineAsync("a AUTHENTICATE PLAIN", Token); Assert.StartsWith("+", await c.ReadLineAsync(Token)); await c.SendAsync("AGFA", Token); }),
            ("after STARTTLS", async c => { Assert.StartsWith("* OK", await c.ReadLineAsync(Token)); Assert.StartsWith("a OK", await c.TaggedAsync("a", "STARTTLS", Token)); }),
            ("mid-TLS handshake", async c => { Assert.StartsWith("* OK", await c.ReadLineAsync(Token)); Assert.StartsWith("a OK", await c.TaggedAsync("a", "STARTTLS", Token)); await c.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 }, Token); }),
        ];
        var messagesBefore = await MessageCountAsync();
        foreach (var reset in new[] { false, true })
        {
            foreach (var (name, reach) in states)
            {
                var client = await ConnectAsync(ImapPort);
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
        await TestServer.WaitUntilAsync(() => Directory.GetFiles(fixture.SpoolDirectory, "extensible-imap-*").Length == 0, TimeSpan.FromSeconds(20), "the spooled literals to be deleted", Token);
        Assert.Equal(messagesBefore, await MessageCountAsync());

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task TlsConfusionEndsTheConnectionCleanly()
    {
        await using (var client = await GreetedAsync(ImapPort))
        {
            Assert.StartsWith("a OK", await client.TaggedAsync("a", "STARTTLS", Token));
            var garbage = new byte[4096];
            new Random(8).NextBytes(garbage);
            await client.TrySendAsync(garbage, Token);
            await client.ReadUntilClosedAsync(CloseWait, Token);
        }

        await using (var client = await GreetedAsync(ImapPort))
        {
            Assert.StartsWith("a OK", await client.TaggedAsync("a", "STARTTLS", Token));
            await client.TrySendAsync(Encoding.ASCII.GetBytes("b LOGIN a@example.test secret\r\nc SELECT INBOX\r\n"), Token);
            Assert.All(await client.ReadRawUntilClosedAsync(CloseWait, Token), b => Assert.NotEqual((byte)'*', b));
        }

        await using (var client = await ConnectAsync(ImapPort))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => client.StartTlsAsync(Token));
        }

        await using (var client = await ConnectAsync(Server.Port("imap", "imaps")))
        {
            await client.TrySendAsync(Encoding.ASCII.GetBytes("a LOGIN a@example.test secret\r\nb SELECT INBOX\r\n"), Token);
            Assert.All(await client.ReadRawUntilClosedAsync(CloseWait, Token), b => Assert.NotEqual((byte)'*', b));
        }

        await using (var client = await LoggedInAsync(ImapPort))
        {
            Assert.StartsWith("s BAD", await client.TaggedAsync("s", "STARTTLS", Token));
        }

        await WaitForNoConnectionsAsync();
        await AssertHealthyAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SlowlorisIsLoggedOutByTheInactivityTimers(bool loggedIn)
    {
        // The patient listener has no idle timeout: only LoginTimeout (4 s) and AutoLogout (8 s) can end this.
        await using (var client = loggedIn ? await SelectedAsync(Server.Port("imap", "patient")) : await GreetedAsync(Server.Port("imap", "patient")))
        {
            var slow = Encoding.ASCII.GetBytes("x LOGIN a@example.test secret\r\n");
            var sent = 0;
            for (; sent < slow.Length; sent++)
            {
                await client.TrySendAsync(slow.AsMemory(sent, 1), Token);
                if (client.Socket.Poll(1_000_000, System.Net.Sockets.SelectMode.SelectRead))
                {
                    break;
                }
            }

            Assert.True(sent < slow.Length, "the server waited for a command sent at one byte a second");
            Assert.Equal(["* BYE Autologout; idle for too long"], await client.ReadUntilClosedAsync(CloseWait, Token));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task GarbageAuthenticateResponsesAreRefused()
    {
        await using (var client = await GreetedAsync(ImapPort))
        {
            (string Command, string Expected)[] cases =
            [
                ("AUTHENTICATE PLAIN !!not*base64!!", "BAD"),
                ("AUTHENTICATE PLAIN " + Base64("\0a@example.test\0\xff\xfe"), "NO"),
                ("AUTHENTICATE PLAIN " + Base64("no separators"), "NO"),
                ("AUTHENTICATE PLAIN " + Base64("b@example.test\0a@example.test\0secret"), "NO"),
                ("AUTHENTICATE SCRAM-SHA-256 " + Base64("p=tls-unique,,n=a,r=x"), "NO"),
                ("AUTHENTICATE NOSUCHMECH", "NO"),
                ("AUTHENTICATE PLAIN " + Base64(new string('x', 40_000)), "NO"),
            ];
            var i = 0;
            foreach (var (command, expected) in cases)
            {
                var tag = "g" + i++;
                await client.SendAsync(Latin1($"{tag} {command}\r\n"), Token);
                Assert.StartsWith($"{tag} {expected} ", await client.ReadLineAsync(Token));
            }

            foreach (var response in new[] { "%%%%", "*", "{5+}\r\nhello" })
            {
                Assert.StartsWith("+", await client.LineAsync("h AUTHENTICATE PLAIN", Token));
                await client.SendLineAsync(response, Token);
                Assert.StartsWith("h BAD ", await client.ReadLineAsync(Token));
            }

            Assert.StartsWith("+", await client.LineAsync("j AUTHENTICATE PLAIN", Token));
            await client.SendRepeatedAsync((byte)'Q', 4 * 1024 * 1024, Token);
            await client.SendAsync("\r\n", Token);
            Assert.StartsWith("j BAD ", await client.ReadLineAsync(Token));
            Assert.StartsWith("k OK", await client.TaggedAsync("k", "NOOP", Token));
            Assert.StartsWith("+", await client.LineAsync("m AUTHENTICATE PLAIN", Token));
            await client.SendLineAsync(Base64("\0a@example.test\0" + new string('p', 40_000)), Token);
            Assert.StartsWith("m NO ", await client.ReadLineAsync(Token));
        }

        await AssertHealthyAsync();
    }

    [Fact]
    public async Task AnotherUsersMailboxesCannotBeReachedByName()
    {
        string[] names =
        [
            "../b@example.test/INBOX", "../b/INBOX", "../../b@example.test/INBOX", "..", "../..", "/", "/INBOX", "~b/INBOX", "~b@example.test/INBOX",
            "#shared/b", "Other Users/b/INBOX", "user/b/INBOX", "user.b.INBOX", "INBOX/../../b@example.test/BSecret", "INBOX/../BSecret",
            "BSecret", "b@example.test/BSecret", "../b@example.test/BSecret", "./BSecret", "%2e%2e/BSecret", "..\\b@example.test\\BSecret",
            "INBOX\\..\\..\\b@example.test", "INBOX/./../BSecret", "\"/etc/passwd\"", "&AC4ALg-/BSecret",
        ];
        var stateOfB = await MailboxesOfBAsync();
        Assert.Contains("BSecret (MESSAGES 1 UIDNEXT 2)", stateOfB);
        await using (var client = await SelectedAsync(ImapPort))
        {
            var i = 0;
            foreach (var name in names)
            {
                var quoted = name.StartsWith('"') ? name : "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal) + "\"";
                var ofB = name.Contains("BSecret", StringComparison.Ordinal) || name.Contains("b@", StringComparison.Ordinal) || name.Contains("b/", StringComparison.Ordinal);
                foreach (var command in new[] { $"STATUS {quoted} (MESSAGES UIDNEXT)", $"EXAMINE {quoted}", $"UID COPY 1 {quoted}", $"APPEND {quoted} {{3+}}\r\nx\r\n", $"DELETE {quoted}", $"RENAME Stolen {quoted}", $"SELECT {quoted}" })
                {
                    var tag = "x" + i++;
                    var reply = await client.CommandAsync(tag, command, Token);
                    Assert.DoesNotContain(reply, l => l.Contains(fixture.MarkerOfB, StringComparison.Ordinal));
                    Assert.False(ofB && reply[^1].StartsWith(tag + " OK", StringComparison.Ordinal), $"{command} reached another user's mailbox: {reply[^1]}");
                    if (reply[^1].StartsWith(tag + " OK", StringComparison.Ordinal) && command.Contains("EXAMINE", StringComparison.Ordinal))
                    {
                        Assert.DoesNotContain(await client.CommandAsync("f", "UID FETCH 1:* BODY.PEEK[]", Token), l => l.Contains(fixture.MarkerOfB, StringComparison.Ordinal));
                    }
                }

                Assert.StartsWith("s OK", await client.TaggedAsync("s", "SELECT INBOX", Token));
            }

            var list = await client.CommandAsync("l", "LIST \"\" *", Token);
            Assert.DoesNotContain(list, l => l.Contains("BSecret", StringComparison.Ordinal) || l.Contains("b@", StringComparison.Ordinal));
            foreach (var reference in new[] { "../", "/", "~b/", "../b@example.test/", ".." })
            {
                var other = await client.CommandAsync("r", $"LIST \"{reference}\" *", Token);
                Assert.DoesNotContain(other, l => l.Contains("BSecret", StringComparison.Ordinal));
            }
        }

        Assert.Equal(stateOfB, await MailboxesOfBAsync());
        await AssertHealthyAsync();
    }

    private async Task<List<string>> MailboxesOfBAsync()
    {
        await using var client = await LoggedInAsync(ImapPort, "b@example.test", "bsecret");
        var state = new List<string>();
        foreach (var line in (await client.CommandAsync("l", "LIST \"\" *", Token)).SkipLast(1))
        {
            var name = line[(line.LastIndexOf(" \"", StringComparison.Ordinal) + 1)..];
            var status = (await client.CommandAsync("s", $"STATUS {name} (MESSAGES UIDNEXT)", Token))[0];
            state.Add(status["* STATUS ".Length..].Replace("\"", string.Empty, StringComparison.Ordinal));
        }

        return state;
    }

    private static async Task AssertAllRefusedAsync(RawLineClient client, string prefix, IEnumerable<string> commands)
    {
        var i = 0;
        foreach (var command in commands)
        {
            var tag = prefix + i++;
            var reply = await client.CommandAsync(tag, command, Token);
            Assert.True(reply[^1].StartsWith(tag + " BAD ", StringComparison.Ordinal) || reply[^1].StartsWith(tag + " NO ", StringComparison.Ordinal), $"{command[..Math.Min(60, command.Length)]}: {reply[^1]}");
        }
    }

    private static async Task AssertAllAnsweredAsync(RawLineClient client, string prefix, IEnumerable<string> commands)
    {
        var i = 0;
        foreach (var command in commands)
        {
            var tag = prefix + i++;
            var reply = (await client.CommandAsync(tag, command, Token))[^1];
            Assert.True(reply.StartsWith(tag + " OK", StringComparison.Ordinal) || (reply.StartsWith(tag + " NO", StringComparison.Ordinal) && !reply.Contains("SERVERBUG", StringComparison.Ordinal)), $"{command}: {reply}");
        }
    }

    private async Task AssertHealthyAsync()
    {
        Assert.True(Server.IsRunning, "the server process died:\n" + Server.LogTail());
        await using (var client = await SelectedAsync(ImapPort))
        {
            var reply = await client.CommandAsync("f", "UID FETCH 1 BODY.PEEK[]", Token);
            Assert.StartsWith("f OK", reply[^1]);
            Assert.Contains(reply, l => l.Contains(fixture.MarkerOfA, StringComparison.Ordinal));
            Assert.DoesNotContain(reply, l => l.Contains(fixture.MarkerOfB, StringComparison.Ordinal));
            var search = await client.CommandAsync("x", "UID SEARCH TEXT " + fixture.MarkerOfB, Token);
            Assert.True(search is ["* SEARCH", ['x', ' ', 'O', 'K', ..]], string.Join('\n', search) + "\n" + Server.LogTail(30));
            Assert.StartsWith("o OK", await client.TaggedAsync("o", "LOGOUT", Token));
        }

        var logs = Server.Logs;
        var crashes = logs.Select((line, index) => (line, index)).Where(l => TestServer.IsCrashLine(l.line))
            .Select(l => string.Join('\n', logs.Skip(l.index).Take(8))).ToList();
        Assert.True(crashes.Count == 0, "the server logged failures:\n" + string.Join('\n', crashes));
        var rss = Server.RssKilobytes();
        Assert.True(rss - fixture.BaselineRssKb < RssAllowanceKb, $"RSS {rss / 1024} MB against a baseline of {fixture.BaselineRssKb / 1024} MB");
    }

    private async Task<int> MessageCountAsync()
    {
        await using var client = await LoggedInAsync(ImapPort);
        var status = (await client.CommandAsync("s", "STATUS INBOX (MESSAGES)", Token))[0];
        return int.Parse(status[(status.LastIndexOf(' ') + 1)..^1], CultureInfo.InvariantCulture);
    }

    private static async Task<RawLineClient> ConnectAsync(int port) => await RawLineClient.ConnectAsync(port, Token);

    private static async Task<RawLineClient> GreetedAsync(int port)
    {
        var client = await ConnectAsync(port);
        Assert.StartsWith("* OK ", await client.ReadLineAsync(Token));
        return client;
    }

    private static async Task<RawLineClient> LoggedInAsync(int port, string user = "a@example.test", string password = "secret")
    {
        var client = await GreetedAsync(port);
        Assert.StartsWith("l OK", await client.TaggedAsync("l", $"LOGIN {user} {password}", Token));
        return client;
    }

    private static async Task<RawLineClient> SelectedAsync(int port)
    {
        var client = await ConnectAsync(port);
        await SelectAsync(client);
        return client;
    }

    private static async Task SelectAsync(RawLineClient client)
    {
        Assert.StartsWith("* OK ", await client.ReadLineAsync(Token));
        Assert.StartsWith("l OK", await client.TaggedAsync("l", "LOGIN a@example.test secret", Token));
        Assert.StartsWith("s OK", await client.TaggedAsync("s", "SELECT INBOX", Token));
    }

    private void AssertGrowthBelow(long beforeKb, long allowanceKb, string attack)
    {
        var after = Server.RssKilobytes();
        Assert.True(after - beforeKb < allowanceKb, $"RSS grew by {(after - beforeKb) / 1024} MB after {attack}");
    }

    private async Task WaitForNoConnectionsAsync()
    {
        await Server.WaitForNoConnectionsAsync("imap", TimeSpan.FromSeconds(20), Token);
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    private static string Base64(string latin1) => Convert.ToBase64String(Encoding.Latin1.GetBytes(latin1));
}
