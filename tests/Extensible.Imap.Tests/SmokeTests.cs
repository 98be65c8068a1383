namespace Extensible.Imap.Tests;

public sealed class SmokeTests(ImapServerFixture fixture) : IClassFixture<ImapServerFixture>
{
    [Fact]
    public async Task LoginSelectAppendFetch()
    {
        var user = await fixture.NewUserAsync();
        await using var c = await RawImapClient.ConnectAsync(fixture.Port);
        var greeting = await c.ReadLineAsync();
        Assert.StartsWith("* OK [CAPABILITY IMAP4rev1", greeting);
        Assert.EndsWith("a OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ LITERAL- SASL-IR ID ENABLE IDLE NAMESPACE UIDPLUS MOVE UNSELECT CHILDREN LIST-EXTENDED LIST-STATUS SPECIAL-USE CREATE-SPECIAL-USE CONDSTORE QRESYNC QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE ESEARCH SEARCHRES WITHIN SORT SORT=DISPLAY THREAD=REFERENCES THREAD=ORDEREDSUBJECT STATUS=SIZE APPENDLIMIT=31457280 MULTIAPPEND BINARY UTF8=ACCEPT COMPRESS=DEFLATE] Logged in", (await c.CommandAsync("a", $"LOGIN {user} secret"))[^1]);
        var msg = "Subject: hi\r\nFrom: A <a@example.test>\r\n\r\nhello\r\n";
        await c.SendAsync($"b APPEND INBOX {{{msg.Length}+}}\r\n{msg}\r\n");
        var append = await c.ReadUntilTaggedAsync("b");
        Assert.Matches(@"^b OK \[APPENDUID \d+ 1\] APPEND completed$", append[^1]);
        var select = await c.CommandAsync("c", "SELECT INBOX");
        Assert.Contains("* 1 EXISTS", select);
        Assert.Equal("c OK [READ-WRITE] SELECT completed", select[^1]);
        var fetch = await c.CommandAsync("d", "FETCH 1 (UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODYSTRUCTURE ENVELOPE)");
        foreach (var l in fetch) { Console.WriteLine(l); }
        Assert.Equal("d OK FETCH completed", fetch[^1]);
    }
}
