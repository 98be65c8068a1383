using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace Extensible.Imap.Tests;

/// <summary>STARTTLS, COMPRESS=DEFLATE and SCRAM-SHA-256 with MailKit; BINARY, UTF8=ACCEPT, IMAP4rev2, \Recent and MULTIAPPEND over raw sockets.</summary>
public sealed class ExtensionTests(ImapServerFixture fixture) : IClassFixture<ImapServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ImapClient NewClient()
    {
#pragma warning disable CA5359 // the test server's certificate is self-signed
        return new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
#pragma warning restore CA5359
    }

    private async Task<RawImapClient> LoggedInAsync(string user)
    {
        var c = await RawImapClient.ConnectAsync(fixture.Port);
        await c.ReadLineAsync();
        Assert.StartsWith("l OK", (await c.CommandAsync("l", $"LOGIN \"{user}\" secret"))[^1]);
        return c;
    }

    private static async Task<List<string>> AppendAsync(RawImapClient c, string message, string flags = "")
    {
        message = message.ReplaceLineEndings("\r\n");
        var length = Encoding.UTF8.GetByteCount(message);
        var lines = await c.CommandAsync("p", $"APPEND INBOX {flags}{{{length}+}}\r\n{message}");
        Assert.StartsWith("p OK", lines[^1]);
        return lines;
    }

    [Fact]
    public async Task StartTlsThenLoginWithMailKit()
    {
        var user = await fixture.NewUserAsync();
        using var client = NewClient();
        await client.ConnectAsync("127.0.0.1", fixture.Port, SecureSocketOptions.StartTls, Ct);
        Assert.True(client.IsSecure);
        await client.AuthenticateAsync(user, "secret", Ct);
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite, Ct);
        await client.Inbox.AppendAsync(new MimeMessage(new[] { new MailboxAddress("a", "a@example.test") }, new[] { new MailboxAddress("b", "b@example.test") }, "over tls", new TextPart("plain") { Text = "tls" }), cancellationToken: Ct);
        Assert.Equal(1, client.Inbox.Count);
        await client.DisconnectAsync(true, Ct);
    }

    [Fact]
    public async Task CompressDeflateWithMailKitKeepsMessagesByteExact()
    {
        var user = await fixture.NewUserAsync();
        using var client = NewClient();
        await client.ConnectAsync("127.0.0.1", fixture.TlsPort, SecureSocketOptions.SslOnConnect, Ct);
        await client.AuthenticateAsync(user, "secret", Ct);
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.Compress));
        await client.CompressAsync(Ct);
        var text = string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i} of a compressible body\r\n"));
        var message = new MimeMessage(new[] { new MailboxAddress("a", "a@example.test") }, new[] { new MailboxAddress("b", "b@example.test") }, "deflate", new TextPart("plain") { Text = text });
        await client.Inbox.AppendAsync(message, cancellationToken: Ct);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly, Ct);
        var fetched = await client.Inbox.GetMessageAsync(0, Ct);
        Assert.Equal("deflate", fetched.Subject);
        Assert.Equal(text.ReplaceLineEndings("\n"), fetched.TextBody!.ReplaceLineEndings("\n"));
        await client.NoOpAsync(Ct);
        await client.DisconnectAsync(true, Ct);
    }

    [Fact]
    public async Task ScramSha256WithMailKit()
    {
        var user = await fixture.NewUserAsync();
        using var client = NewClient();
        await client.ConnectAsync("127.0.0.1", fixture.TlsPort, SecureSocketOptions.SslOnConnect, Ct);
        Assert.Contains("SCRAM-SHA-256", client.AuthenticationMechanisms);
        await client.AuthenticateAsync(new SaslMechanismScramSha256(user, "secret"), Ct);
        Assert.True(client.IsAuthenticated);
        await client.DisconnectAsync(true, Ct);

        using var wrong = NewClient();
        await wrong.ConnectAsync("127.0.0.1", fixture.TlsPort, SecureSocketOptions.SslOnConnect, Ct);
        await Assert.ThrowsAsync<AuthenticationException>(() => wrong.AuthenticateAsync(new SaslMechanismScramSha256(user, "wrong"), Ct));
    }

    [Fact]
    public async Task BinaryFetchDecodesTransferEncodings()
    {
        var user = await fixture.NewUserAsync();
        await using var c = await LoggedInAsync(user);
        await AppendAsync(c, """
            Subject: bin
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            caf=C3=A9
            --b
            Content-Type: application/octet-stream
            Content-Transfer-Encoding: base64

            AAEC/w==
            --b--

            """);
        await c.CommandAsync("s", "SELECT INBOX");
        await c.SendAsync("b FETCH 1 (BINARY.SIZE[2] BINARY.PEEK[2])\r\n");
        Assert.Equal("* 1 FETCH (BINARY.SIZE[2] 4 BINARY[2] ~{4}", await c.ReadLineAsync());
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, await c.ReadBytesAsync(4));
        Assert.Equal(")", await c.ReadLineAsync());
        Assert.Equal("b OK FETCH completed", await c.ReadLineAsync());
        var r = await c.CommandAsync("q", "FETCH 1 (BINARY.PEEK[1])");
        Assert.Equal(["* 1 FETCH (BINARY[1] ~{5}", "café)", "q OK FETCH completed"], r);
        r = await c.CommandAsync("n", "FETCH 1 (BINARY.PEEK[3])");
        Assert.StartsWith("n NO [UNKNOWN-CTE]", r[^1]);
    }

    [Fact]
    public async Task Utf8AcceptAndImap4Rev2AfterEnable()
    {
        var user = await fixture.NewUserAsync();
        await using var c = await LoggedInAsync(user);
        var r = await c.CommandAsync("e", "ENABLE IMAP4rev2 UTF8=ACCEPT");
        Assert.Equal(["* ENABLED IMAP4rev2 UTF8=ACCEPT", "e OK ENABLE completed"], r);
        Assert.Equal("c OK CREATE completed", (await c.CommandAsync("c", "CREATE \"Entwürfe\""))[^1]);
        r = await c.CommandAsync("l", "LIST \"\" \"Entw*\"");
        Assert.Equal(["* LIST (\\HasNoChildren) \"/\" \"Entwürfe\"", "l OK LIST completed"], r);
        await AppendAsync(c, "Subject: héllo\r\n\r\nbody\r\n");
        r = await c.CommandAsync("s", "SELECT INBOX");
        Assert.DoesNotContain(r, line => line.EndsWith(" RECENT", StringComparison.Ordinal));
        Assert.Contains("* LIST () \"/\" \"INBOX\"", r);
        Assert.Contains("* 1 EXISTS", r);
        r = await c.CommandAsync("f", "FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
        Assert.Equal("* 1 FETCH (FLAGS () BODY[HEADER.FIELDS (SUBJECT)] {19}", r[0]);
        Assert.Equal("Subject: héllo", r[1]);
        r = await c.CommandAsync("x", "SEARCH SUBJECT \"héllo\"");
        Assert.Equal(["* ESEARCH (TAG \"x\") ALL 1", "x OK SEARCH completed"], r);
    }

    [Fact]
    public async Task RecentGoesToTheFirstSessionThatSeesAMessage()
    {
        var user = await fixture.NewUserAsync();
        await using var a = await LoggedInAsync(user);
        await AppendAsync(a, "Subject: one\r\n\r\n1\r\n");
        await AppendAsync(a, "Subject: two\r\n\r\n2\r\n");

        // EXAMINE shows them as recent but leaves them recent for the first session that SELECTs.
        await using (var reader = await LoggedInAsync(user))
        {
            Assert.Contains("* 2 RECENT", await reader.CommandAsync("x", "EXAMINE INBOX"));
        }

        var r = await a.CommandAsync("s", "SELECT INBOX");
        Assert.Contains("* 2 RECENT", r);
        r = await a.CommandAsync("f", "FETCH 1:2 FLAGS");
        Assert.Equal(["* 1 FETCH (FLAGS (\\Recent))", "* 2 FETCH (FLAGS (\\Recent))", "f OK FETCH completed"], r);
        Assert.Equal(["* SEARCH 1 2", "n OK SEARCH completed"], await a.CommandAsync("n", "SEARCH NEW"));

        await using var b = await LoggedInAsync(user);
        r = await b.CommandAsync("s", "SELECT INBOX");
        Assert.Contains("* 0 RECENT", r);
        Assert.Equal(["* SEARCH 1 2", "o OK SEARCH completed"], await b.CommandAsync("o", "SEARCH OLD"));

        // A message arriving while both have the mailbox selected is recent for whichever session reports it first.
        // The store publishes the change before APPEND returns, so the appending session reports it in the APPEND response.
        r = await AppendAsync(b, "Subject: three\r\n\r\n3\r\n");
        Assert.Contains("* 3 EXISTS", r);
        Assert.Contains("* 1 RECENT", r);
        r = await a.CommandAsync("n", "NOOP");
        Assert.Contains("* 3 EXISTS", r);
        Assert.Contains("* 2 RECENT", r);
    }

    [Fact]
    public async Task FailedMultiappendLeavesNothingBehind()
    {
        var user = $"quota{Guid.NewGuid().ToString("n")[..6]}@{Extensible.Testing.TestServer.DefaultDomain}";
        (await fixture.Server.AdminAsync(["user", "add", user, "--password-stdin", "--max-messages", "2"], "secret\n", Ct)).EnsureSuccess();
        await using var c = await LoggedInAsync(user);
        const string m = "Subject: m\r\n\r\nx\r\n";
        var r = await c.CommandAsync("a", $"APPEND INBOX {{{m.Length}+}}\r\n{m} {{{m.Length}+}}\r\n{m} {{{m.Length}+}}\r\n{m}");
        Assert.StartsWith("a NO [OVERQUOTA]", r[^1]);
        r = await c.CommandAsync("s", "STATUS INBOX (MESSAGES)");
        Assert.Equal("* STATUS \"INBOX\" (MESSAGES 0)", r[0]);
        r = await c.CommandAsync("b", $"APPEND INBOX {{{m.Length}+}}\r\n{m} {{{m.Length}+}}\r\n{m}");
        Assert.StartsWith("b OK [APPENDUID ", r[^1]);
    }

    [Fact]
    public async Task OneMultiappendCannotSpoolMoreThanItsTotal()
    {
        await using var c = await LoggedInAsync(await fixture.NewUserAsync());
        // Each message is within APPENDLIMIT (30 MiB), but together they pass MaxAppendTotal (31,000,000 bytes): the
        // second literal is refused before the client sends it.
        var first = "Subject: big\r\n\r\n" + new string('x', 2_000_000) + "\r\n";
        var r = await c.CommandAsync("a", $"APPEND INBOX {{{first.Length}+}}\r\n{first} {{30000000}}");
        Assert.StartsWith("a NO [TOOBIG]", r[^1]);
        r = await c.CommandAsync("n", "NOOP");
        Assert.StartsWith("n OK", r[^1]);
    }

    [Fact]
    public async Task SortAndThreadPerRfc5256()
    {
        var user = await fixture.NewUserAsync();
        await using var c = await LoggedInAsync(user);
        (string Subject, string Refs, string From)[] messages =
        [
            ("Hello", "", "Zed <a@example.test>"),
            ("Re: Hello", "In-Reply-To: <1@x>\r\n", "b@example.test"),
            ("Other", "References: <missing@x>\r\n", "Amy <z@example.test>"),
            ("Re: Other", "References: <missing@x>\r\n", "Carl <c@example.test>"),
            ("Hello", "", "d@example.test"),
            ("re: hello", "", "Bea <e@example.test>"),
            ("Tree", "", "f@example.test"),
            ("Re: Tree", "References: <7@x> <gone@x>\r\n", "g@example.test"),
        ];
        for (var i = 0; i < messages.Length; i++)
        {
            await AppendAsync(c, $"Subject: {messages[i].Subject}\r\nFrom: {messages[i].From}\r\nMessage-ID: <{i + 1}@x>\r\n{messages[i].Refs}Date: Mon, 7 Jul 2026 10:0{i}:00 +0000\r\n\r\nbody\r\n");
        }

        await c.CommandAsync("s", "SELECT INBOX");
        Assert.Equal(["* SORT 1 2 5 6 3 4 7 8", "a OK SORT completed"], await c.CommandAsync("a", "SORT (SUBJECT) UTF-8 ALL"));
        Assert.Equal(["* SORT 8 7 6 5 4 3 2 1", "b OK SORT completed"], await c.CommandAsync("b", "SORT (REVERSE DATE) UTF-8 ALL"));
        Assert.Equal(["* SORT 1 2 4 5 6 7 8 3", "g OK SORT completed"], await c.CommandAsync("g", "SORT (FROM) UTF-8 ALL"));
        Assert.Equal(["* SORT 3 2 6 4 5 7 8 1", "h OK SORT completed"], await c.CommandAsync("h", "SORT (DISPLAYFROM) UTF-8 ALL"));
        Assert.Equal(["* SORT 3 4", "c OK UID SORT completed"], await c.CommandAsync("c", "UID SORT (SUBJECT) UTF-8 SUBJECT other"));
        Assert.Equal(["* THREAD (1 (2)(5)(6))(3 4)(7 8)", "d OK THREAD completed"], await c.CommandAsync("d", "THREAD ORDEREDSUBJECT UTF-8 ALL"));
        // 3 and 4 share a missing parent (a dummy kept at the root); 8's missing parent <gone@x> is pruned and 8 hangs below 7.
        Assert.Equal(["* THREAD ((1 2)(5)(6))((3)(4))(7 8)", "e OK THREAD completed"], await c.CommandAsync("e", "THREAD REFERENCES UTF-8 ALL"));
        Assert.Equal("f BAD Unsupported threading algorithm", (await c.CommandAsync("f", "THREAD FOO UTF-8 ALL"))[^1]);
    }

    [Fact]
    public async Task HeaderFetchAndSearchWithoutBlankLineOrWithBareLineFeeds()
    {
        var user = await fixture.NewUserAsync();
        await using var c = await LoggedInAsync(user);
        const string headerOnly = "Subject: lonely\r\nFrom: a@example.test";
        const string bareLf = "Subject: bare\nFrom: b@example.test\n\nbody\n";
        foreach (var m in new[] { headerOnly, bareLf })
        {
            Assert.StartsWith("p OK", (await c.CommandAsync("p", $"APPEND INBOX {{{m.Length}+}}\r\n{m}"))[^1]);
        }

        await c.CommandAsync("s", "SELECT INBOX");
        for (var round = 0; round < 2; round++)
        {
            // The second round is served from the header cache and must answer the same bytes.
            await c.SendAsync("f FETCH 1:2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n");
            Assert.Equal("* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {19}", await c.ReadLineAsync());
            Assert.Equal("Subject: lonely", await c.ReadLineAsync());
            Assert.Equal(string.Empty, await c.ReadLineAsync());
            Assert.Equal(")", await c.ReadLineAsync());
            Assert.Equal("* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {16}", await c.ReadLineAsync());
            Assert.Equal("Subject: bare", await c.ReadLineAsync());
            Assert.Equal(string.Empty, await c.ReadLineAsync());
            Assert.Equal(")", await c.ReadLineAsync());
            Assert.Equal("f OK FETCH completed", await c.ReadLineAsync());
            Assert.Equal(["* SEARCH 1", "a OK SEARCH completed"], await c.CommandAsync("a", "SEARCH SUBJECT lonely"));
            Assert.Equal(["* SEARCH 2", "b OK SEARCH completed"], await c.CommandAsync("b", "SEARCH FROM b@example.test"));
        }
    }
}
