namespace Extensible.Imap.Tests;

/// <summary>Client line in, exact server lines out, for the grammar clients trip over.</summary>
public sealed class TranscriptTests(ImapServerFixture fixture) : IClassFixture<ImapServerFixture>
{
    private async Task<RawImapClient> LoggedInAsync(int messages = 0)
    {
        var user = await fixture.NewUserAsync();
        var c = await RawImapClient.ConnectAsync(fixture.Port);
        await c.ReadLineAsync();
        Assert.StartsWith("l OK", (await c.CommandAsync("l", $"LOGIN \"{user}\" {{6+}}\r\nsecret"))[^1]);
        for (var i = 1; i <= messages; i++)
        {
            var msg = $"Subject: m{i}\r\nFrom: a@example.test\r\nMessage-ID: <m{i}@x>\r\n\r\nbody {i} 0123456789\r\n";
            Assert.StartsWith("p OK", (await c.CommandAsync("p", $"APPEND INBOX {{{msg.Length}+}}\r\n{msg}"))[^1]);
        }

        return c;
    }

    [Fact]
    public async Task SynchronizingLiteralGetsContinuation()
    {
        var user = await fixture.NewUserAsync();
        await using var c = await RawImapClient.ConnectAsync(fixture.Port);
        await c.ReadLineAsync();
        await c.SendAsync($"a LOGIN {{{user.Length}}}\r\n");
        Assert.Equal("+ Ready for literal data", await c.ReadLineAsync());
        await c.SendAsync(user + " \"sec\\\\ret\"\r\n");
        Assert.Equal("a NO [AUTHENTICATIONFAILED] Authentication failed", await c.ReadLineAsync());
        await c.SendAsync($"b LOGIN {user} \"secret\"\r\n");
        Assert.StartsWith("b OK [CAPABILITY", await c.ReadLineAsync());
    }

    [Fact]
    public async Task BadSyntaxOfEveryKindIsBad()
    {
        await using var c = await LoggedInAsync(3);
        Assert.StartsWith("s OK", (await c.CommandAsync("s", "SELECT INBOX"))[^1]);
        Assert.Equal("1 BAD Invalid message sequence number", (await c.CommandAsync("1", "FETCH 4 FLAGS"))[^1]);
        Assert.Equal("2 BAD Invalid sequence set", (await c.CommandAsync("2", "FETCH 0 FLAGS"))[^1]);
        Assert.Equal("3 BAD Invalid sequence set", (await c.CommandAsync("3", "FETCH 1:x FLAGS"))[^1]);
        Assert.Equal("4 BAD Unknown FETCH item FOO", (await c.CommandAsync("4", "FETCH 1 (FOO)"))[^1]);
        Assert.Equal("5 BAD Unterminated quoted string", (await c.CommandAsync("5", "SELECT \"INBOX"))[^1]);
        Assert.Equal("6 BAD Unknown command", (await c.CommandAsync("6", "FROB"))[^1]);
        Assert.Equal("7 BAD Invalid escape in quoted string", (await c.CommandAsync("7", "SELECT \"IN\\BOX\""))[^1]);
        Assert.Equal("8 BAD Mailbox name is not valid modified UTF-7", (await c.CommandAsync("8", "CREATE &Jjo"))[^1]);
        Assert.Equal("9 BAD Unknown search key FOO", (await c.CommandAsync("9", "SEARCH FOO"))[^1]);
        Assert.Equal("10 BAD Invalid date", (await c.CommandAsync("10", "SEARCH SINCE 31-Feb-2020"))[^1]);
        Assert.Equal("11 BAD Unexpected characters at end of command", (await c.CommandAsync("11", "NOOP extra"))[^1]);
        Assert.Equal("12 BAD Number out of range", (await c.CommandAsync("12", "FETCH 1 BODY[]<99999999999999999999.1>"))[^1]);
        await c.SendAsync("\r\n");
        Assert.Equal("* BAD Missing or invalid tag", await c.ReadLineAsync());
    }

    [Fact]
    public async Task SequenceSetsWithStarAndBackwardRanges()
    {
        await using var c = await LoggedInAsync(3);
        await c.CommandAsync("s", "SELECT INBOX");
        var r = await c.CommandAsync("f", "FETCH 3:1 UID");
        Assert.Equal(["* 1 FETCH (UID 1)", "* 2 FETCH (UID 2)", "* 3 FETCH (UID 3)", "f OK FETCH completed"], r);
        r = await c.CommandAsync("g", "FETCH *:2 (UID)");
        Assert.Equal(["* 2 FETCH (UID 2)", "* 3 FETCH (UID 3)", "g OK FETCH completed"], r);
        r = await c.CommandAsync("h", "UID FETCH 2,7:* FLAGS");
        Assert.Equal(["* 2 FETCH (UID 2 FLAGS (\\Recent))", "* 3 FETCH (UID 3 FLAGS (\\Recent))", "h OK UID FETCH completed"], r);
        r = await c.CommandAsync("i", "UID SEARCH 2:*");
        Assert.Equal(["* SEARCH 2 3", "i OK UID SEARCH completed"], r);
        r = await c.CommandAsync("j", "SEARCH RETURN (MIN MAX COUNT ALL) OR 1 3");
        Assert.Equal(["* ESEARCH (TAG \"j\") MIN 1 MAX 3 ALL 1,3 COUNT 2", "j OK SEARCH completed"], r);
        r = await c.CommandAsync("k", "SEARCH NOT (OR SUBJECT m1 HEADER Message-ID \"<m3@x>\")");
        Assert.Equal(["* SEARCH 2", "k OK SEARCH completed"], r);
    }

    [Fact]
    public async Task PartialFetchesAreByteExact()
    {
        await using var c = await LoggedInAsync(1);
        await c.CommandAsync("s", "SELECT INBOX");
        await c.SendAsync("a FETCH 1 (BODY.PEEK[TEXT]<5.4>)\r\n");
        Assert.Equal("* 1 FETCH (BODY[TEXT]<5> {4}", await c.ReadLineAsync());
        Assert.Equal("1 01", System.Text.Encoding.ASCII.GetString(await c.ReadBytesAsync(4)));
        Assert.Equal(")", await c.ReadLineAsync());
        Assert.Equal("a OK FETCH completed", await c.ReadLineAsync());
        await c.SendAsync("b FETCH 1 (BODY.PEEK[]<1000.10>)\r\n");
        Assert.Equal("* 1 FETCH (BODY[]<1000> {0}", await c.ReadLineAsync());
        Assert.Equal(")", await c.ReadLineAsync());
        Assert.Equal("b OK FETCH completed", await c.ReadLineAsync());
        await c.SendAsync("c FETCH 1 BODY[1]\r\n");
        Assert.Equal("* 1 FETCH (BODY[1] {19}", await c.ReadLineAsync());
        Assert.Equal("body 1 0123456789\r\n", System.Text.Encoding.ASCII.GetString(await c.ReadBytesAsync(19)));
        Assert.Equal(" FLAGS (\\Seen \\Recent))", await c.ReadLineAsync());
        Assert.Equal("c OK FETCH completed", await c.ReadLineAsync());
    }

    [Fact]
    public async Task HugeLiteralsAreRefusedBeforeReading()
    {
        await using var c = await LoggedInAsync();
        Assert.Equal(["a NO [TOOBIG] Message too large"], await c.CommandAsync("a", "APPEND INBOX {999999999}"));
        Assert.Equal(["b NO [TOOBIG] Literal too large"], await c.CommandAsync("b", "SELECT {999999}"));
        Assert.Equal("c OK NOOP completed", (await c.CommandAsync("c", "NOOP"))[^1]);
        await c.SendAsync("d APPEND INBOX {999999999+}\r\n");
        Assert.Equal("* BYE [TOOBIG] Message too large", await c.ReadLineAsync());
        Assert.Null(await c.ReadLineAsync());
    }

    [Fact]
    public async Task OverlongLineIsRefused()
    {
        await using var c = await LoggedInAsync();
        await c.SendAsync("a NOOP " + new string('x', 70000) + "\r\n");
        Assert.Equal("* BAD [TOOBIG] Command line too long", await c.ReadLineAsync());
        Assert.Equal("b OK NOOP completed", (await c.CommandAsync("b", "NOOP"))[^1]);
    }

    [Fact]
    public async Task PlainLoginRefusedWithoutTlsByDefaultIsAdvertised()
    {
        await using var c = await RawImapClient.ConnectAsync(fixture.Port);
        var greeting = await c.ReadLineAsync();
        Assert.Contains("AUTH=PLAIN", greeting);
        Assert.Contains("STARTTLS", greeting);
    }

    [Fact]
    public async Task ModifiedUtf7NamesRoundTrip()
    {
        await using var c = await LoggedInAsync();
        Assert.Equal("a OK CREATE completed", (await c.CommandAsync("a", "CREATE \"&ZeVnLIqe-/Sub\""))[^1]);
        var list = await c.CommandAsync("b", "LIST \"\" \"&ZeVnLIqe-*\"");
        Assert.Contains("* LIST (\\HasChildren) \"/\" \"&ZeVnLIqe-\"", list);
        Assert.Contains("* LIST (\\HasNoChildren) \"/\" \"&ZeVnLIqe-/Sub\"", list);
        await c.CommandAsync("c", "ENABLE UTF8=ACCEPT");
        list = await c.CommandAsync("d", "LIST \"\" \"日本語\"");
        Assert.Contains("* LIST (\\HasChildren) \"/\" \"日本語\"", list);
    }

    [Fact]
    public async Task AuthenticatePlainWithInitialResponseAndMaxAuthErrors()
    {
        var user = await fixture.NewUserAsync();
        await using var c = await RawImapClient.ConnectAsync(fixture.Port);
        await c.ReadLineAsync();
        var bad = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\0{user}\0wrong"));
        Assert.Equal(["a NO [AUTHENTICATIONFAILED] Authentication failed"], await c.CommandAsync("a", "AUTHENTICATE PLAIN " + bad));
        await c.SendAsync("b AUTHENTICATE PLAIN\r\n");
        Assert.Equal("+ ", await c.ReadLineAsync());
        await c.SendAsync(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"\0{user}\0secret")) + "\r\n");
        Assert.StartsWith("b OK [CAPABILITY", await c.ReadLineAsync());
    }
}
