using System.Diagnostics;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MimeKit;

namespace Extensible.Imap.Tests;

/// <summary>Sessions driven by MailKit's ImapClient and Python's imaplib over real sockets.</summary>
public sealed class MailKitTests(ImapServerFixture fixture) : IClassFixture<ImapServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<ImapClient> ConnectAsync(string user)
    {
        #pragma warning disable CA5359 // the test server's certificate is self-signed
        var client = new ImapClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
#pragma warning restore CA5359
        await client.ConnectAsync("127.0.0.1", fixture.TlsPort, MailKit.Security.SecureSocketOptions.SslOnConnect, Ct);
        await client.AuthenticateAsync(user, "secret", Ct);
        return client;
    }

    private static MimeMessage Message(string subject, string body = "hello world")
    {
        var m = new MimeMessage();
        m.From.Add(new MailboxAddress("Ann Example", "ann@example.test"));
        m.To.Add(new MailboxAddress("Bob", "bob@example.test"));
        m.Subject = subject;
        var builder = new BodyBuilder { TextBody = body };
        builder.Attachments.Add("data.bin", new byte[] { 0, 1, 2, 3, 255 });
        m.Body = builder.ToMessageBody();
        return m;
    }

    [Fact]
    public async Task FullSessionOverImplicitTls()
    {
        var user = await fixture.NewUserAsync();
        using var client = await ConnectAsync(user);
        Assert.True(client.Capabilities.HasFlag(ImapCapabilities.QuickResync));
        var inbox = client.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadWrite, Ct);
        for (var i = 0; i < 5; i++)
        {
            var uid = await inbox.AppendAsync(Message("Subject " + i), MessageFlags.None, Ct);
            Assert.NotNull(uid);
        }

        await inbox.CheckAsync(Ct);
        Assert.Equal(5, inbox.Count);
        var summaries = await inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.BodyStructure | MessageSummaryItems.UniqueId | MessageSummaryItems.Size | MessageSummaryItems.Flags | MessageSummaryItems.InternalDate | MessageSummaryItems.ModSeq, Ct);
        Assert.Equal(5, summaries.Count);
        Assert.Equal("Subject 3", summaries[3].Envelope!.Subject);
        Assert.Equal("ann@example.test", summaries[0].Envelope!.From.Mailboxes.First().Address);
        Assert.Equal("data.bin", summaries[0].Attachments.First().FileName);

        var original = Message("Subject 0");
        var fetched = await inbox.GetMessageAsync(summaries[0].UniqueId, Ct);
        Assert.Equal("hello world", fetched.TextBody!.Trim());
        var part = (MimePart)await inbox.GetBodyPartAsync(summaries[0].UniqueId, summaries[0].Attachments.First(), Ct);
        using var ms = new MemoryStream();
        await part.Content!.DecodeToAsync(ms, Ct);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 255 }, ms.ToArray());
        _ = original;

        await inbox.AddFlagsAsync(summaries[1].UniqueId, MessageFlags.Flagged, true, Ct);
        var flagged = await inbox.SearchAsync(SearchQuery.Flagged, Ct);
        Assert.Equal([summaries[1].UniqueId], flagged);
        var bySubject = await inbox.SearchAsync(SearchQuery.SubjectContains("subject 4").Or(SearchQuery.BodyContains("nothing-here")), Ct);
        Assert.Equal([summaries[4].UniqueId], bySubject);

        var trash = await client.GetFolderAsync("Trash", Ct);
        var moved = await inbox.MoveToAsync(summaries[2].UniqueId, trash, Ct);
        Assert.NotNull(moved);
        Assert.Equal(4, inbox.Count);

        await inbox.AddFlagsAsync(summaries[0].UniqueId, MessageFlags.Deleted, true, Ct);
        await inbox.ExpungeAsync(Ct);
        Assert.Equal(3, inbox.Count);
        await trash.StatusAsync(StatusItems.Count, Ct);
        Assert.Equal(1, trash.Count);
        var folders = await client.GetFoldersAsync(client.PersonalNamespaces[0], cancellationToken: Ct);
        Assert.Contains(folders, f => f.Attributes.HasFlag(FolderAttributes.Sent));
        await client.DisconnectAsync(true, Ct);
    }

    [Fact]
    public async Task TwoSessionsSeeEachOthersChangesAndIdleWakes()
    {
        var user = await fixture.NewUserAsync();
        using var a = await ConnectAsync(user);
        using var b = await ConnectAsync(user);
        await a.Inbox.OpenAsync(FolderAccess.ReadWrite, Ct);
        await b.Inbox.OpenAsync(FolderAccess.ReadWrite, Ct);
        var arrived = new TaskCompletionSource();
        a.Inbox.CountChanged += (_, _) => { if (a.Inbox.Count == 1) { arrived.TrySetResult(); } };
        using var idleDone = new CancellationTokenSource();
        var idle = a.IdleAsync(idleDone.Token, Ct);
        await Task.Delay(200, Ct); // let IDLE start; not a timing assertion
        var clock = Stopwatch.StartNew();
        await b.Inbox.AppendAsync(Message("pushed"), MessageFlags.None, Ct);
        var finished = await Task.WhenAny(arrived.Task, Task.Delay(TimeSpan.FromSeconds(10), Ct));
        Assert.Same(arrived.Task, finished);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "IDLE took " + clock.Elapsed);
        await idleDone.CancelAsync();
        await idle;

        var flagsSeen = new TaskCompletionSource();
        a.Inbox.MessageFlagsChanged += (_, e) => { if (e.Flags.HasFlag(MessageFlags.Flagged)) { flagsSeen.TrySetResult(); } };
        await b.Inbox.AddFlagsAsync(0, MessageFlags.Flagged, true, Ct);
        await a.Inbox.CheckAsync(Ct);
        Assert.True(flagsSeen.Task.IsCompleted);

        await b.Inbox.AddFlagsAsync(0, MessageFlags.Deleted, true, Ct);
        await b.Inbox.ExpungeAsync(Ct);
        await a.NoOpAsync(Ct);
        Assert.Equal(0, a.Inbox.Count);
    }

    [Fact]
    public async Task QresyncReportsVanishedAfterExpunges()
    {
        var user = await fixture.NewUserAsync();
        using var a = await ConnectAsync(user);
        await a.EnableQuickResyncAsync(Ct);
        await a.Inbox.OpenAsync(FolderAccess.ReadWrite, Ct);
        for (var i = 0; i < 4; i++)
        {
            await a.Inbox.AppendAsync(Message("q" + i), MessageFlags.None, Ct);
        }

        await a.Inbox.CheckAsync(Ct);
        var uids = await a.Inbox.SearchAsync(SearchQuery.All, Ct);
        var validity = a.Inbox.UidValidity;
        var modseq = a.Inbox.HighestModSeq;
        await a.Inbox.CloseAsync(false, Ct);

        using var b = await ConnectAsync(user);
        await b.Inbox.OpenAsync(FolderAccess.ReadWrite, Ct);
        await b.Inbox.AddFlagsAsync(uids[1], MessageFlags.Deleted, true, Ct);
        await b.Inbox.AddFlagsAsync(uids[3], MessageFlags.Seen, true, Ct);
        await b.Inbox.ExpungeAsync(Ct);

        var vanished = new List<UniqueId>();
        a.Inbox.MessagesVanished += (_, e) => vanished.AddRange(e.UniqueIds);
        await a.Inbox.OpenAsync(FolderAccess.ReadWrite, validity, modseq, uids, Ct);
        Assert.Equal([uids[1]], vanished);
        Assert.Equal(3, a.Inbox.Count);
    }

    [Fact]
    public async Task LargeMessageFetchedInParts()
    {
        var user = await fixture.NewUserAsync();
        using var client = await ConnectAsync(user);
        var big = new MimeMessage();
        big.From.Add(MailboxAddress.Parse("a@example.test"));
        big.Subject = "big";
        var line = new string('x', 998) + "\r\n";
        var text = new System.Text.StringBuilder();
        while (text.Length < 20 * 1024 * 1024)
        {
            text.Append(line);
        }

        big.Body = new TextPart("plain") { Text = text.ToString(), ContentTransferEncoding = ContentEncoding.SevenBit };
        var uid = await client.Inbox.AppendAsync(big, MessageFlags.None, Ct);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly, Ct);
        var summary = (await client.Inbox.FetchAsync([uid!.Value], MessageSummaryItems.Size | MessageSummaryItems.BodyStructure, Ct))[0];
        Assert.True(summary.Size > 20 * 1024 * 1024);
        long total = 0;
        const int chunk = 4 * 1024 * 1024;
        for (var offset = 0; offset < summary.Size!.Value && offset < 64 * chunk; offset += chunk)
        {
            using var stream = await client.Inbox.GetStreamAsync(uid.Value, offset, chunk, Ct);
            total += stream.Length;
        }

        Assert.Equal((long)summary.Size, total);
    }

    [Fact]
    public async Task PythonImaplibSession()
    {
        var user = await fixture.NewUserAsync();
        var script = $$"""
import imaplib, sys
m = imaplib.IMAP4('127.0.0.1', {{fixture.Port}})
m.login('{{user}}', 'secret')
typ, data = m.append('INBOX', '(\\Seen)', None, b'Subject: py\r\nFrom: p@example.test\r\n\r\nfrom python\r\n')
assert typ == 'OK', data
typ, data = m.select('INBOX')
assert data == [b'1'], data
typ, data = m.fetch('1', '(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
assert b'Subject: py' in data[0][1], data
typ, data = m.search(None, 'SEEN', 'SUBJECT', '"py"')
assert data == [b'1'], data
typ, data = m.store('1', '+FLAGS', '(\\Deleted)')
m.expunge()
typ, data = m.list()
assert any(b'INBOX' in d for d in data), data
m.logout()
print('ok')
""";
        var psi = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, error);
        Assert.Equal("ok", output.Trim());
    }
}
