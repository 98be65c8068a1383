using System.Text;
using Extensible.Sdk.Messages;
using Extensible.Smtp.Tests.Support;
using Extensible.SmtpReceiving;
using static Extensible.Smtp.Tests.Support.Sessions;

namespace Extensible.Smtp.Tests;

public sealed class DataTests
{
    private const string Smuggled = "MAIL FROM:<evil@remote.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n";

    /// <summary>The published SMTP smuggling end-of-data variants (SEC Consult 2023 and follow-ups).</summary>
    public static TheoryData<string> SmugglingEndings => new()
    {
        "\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\r", "\r.\r", "\r\n.\n", "\n.\r", ".\n", "\r\n\n.\r\n", "\r\n.\r\r\n",
    };

    [Theory]
    [MemberData(nameof(SmugglingEndings))]
    public async Task SmugglingVariantsNeverSplitOneMessageIntoTwo(string ending)
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        await BeginDataAsync(client);
        await client.SendAsync("Subject: one\r\n\r\nfirst" + ending + Smuggled + ".\r\n", Token);
        var reply = await client.ReadReplyAsync(Token);
        Assert.StartsWith("550 5.6.0", reply);
        Assert.StartsWith("221", await client.CommandAsync("QUIT", Token));
        Assert.Empty(server.Pipeline.Submitted);
    }

    [Fact]
    public async Task NulBeforeDotIsContentNotAnEnd()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        await BeginDataAsync(client);
        await client.SendAsync("Subject: one\r\n\r\nfirst\r\n\0.\r\n" + Smuggled + ".\r\n", Token);
        Assert.StartsWith("250 2.0.0", await client.ReadReplyAsync(Token));
        Assert.StartsWith("221", await client.CommandAsync("QUIT", Token));
        var message = Assert.Single(server.Pipeline.Submitted);
        Assert.Contains("Subject: smuggled", Encoding.UTF8.GetString(message.Content));
    }

    [Fact]
    public async Task DotUnstuffingAndReceivedHeader()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        await BeginDataAsync(client);
        await client.SendAsync("Subject: dots\r\n\r\n..leading\r\n..\r\n...\r\nend.\r\n.\r\n", Token);
        Assert.StartsWith("250 2.0.0 Ok: queued as Q1", await client.ReadReplyAsync(Token));
        var (envelope, content) = Assert.Single(server.Pipeline.Submitted);
        var text = Encoding.UTF8.GetString(content);
        Assert.StartsWith("Received: from client.test ([127.0.0.1])\r\n\tby mx.example.test (Extensible) with ESMTP id ", text);
        Assert.Contains("\tfor <a@example.test>;", text);
        Assert.EndsWith("\r\nSubject: dots\r\n\r\n.leading\r\n.\r\n..\r\nend.\r\n", text);
        Assert.Equal("smtp", envelope.Source);
        Assert.Equal("s@remote.test", envelope.MailFrom);
        Assert.Equal("client.test", envelope.HeloName);
        Assert.False(envelope.Secure);
    }

    [Fact]
    public async Task LinesOver1000OctetsAreRefused()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        await BeginDataAsync(client);
        await client.SendAsync("Subject: long\r\n\r\n" + new string('a', 998) + "\r\n.\r\n", Token);
        Assert.StartsWith("250 2.0.0", await client.ReadReplyAsync(Token));
        await BeginDataAsync(client);
        await client.SendAsync("Subject: long\r\n\r\n" + new string('a', 999) + "\r\n.\r\n", Token);
        Assert.Equal("550 5.6.0 Message refused: line longer than 1000 octets including CRLF", await client.ReadReplyAsync(Token));
        Assert.Single(server.Pipeline.Submitted);
    }

    [Fact]
    public async Task SizeIsEnforcedWhenDeclaredAndWhileReading()
    {
        await using var server = LoopbackSmtpServer.Start(new SmtpReceivingOptions { MaxMessageSize = 10_000, SpoolMemoryThreshold = 1024 });
        await using var client = await OpenAsync(server);
        Assert.Contains("SIZE 10000", await client.CommandAsync("EHLO again.test", Token));
        Assert.StartsWith("552 5.3.4", await client.CommandAsync("MAIL FROM:<s@remote.test> SIZE=10001", Token));
        await BeginDataAsync(client);
        var line = new string('x', 900) + "\r\n";
        for (var i = 0; i < 200; i++)
        {
            await client.SendAsync(line, Token);
        }

        await client.SendAsync(".\r\n", Token);
        Assert.StartsWith("552 5.3.4", await client.ReadReplyAsync(Token));
        Assert.Empty(server.Pipeline.Submitted);
        Assert.Empty(Directory.GetFiles(server.SpoolDirectory));
        Assert.StartsWith("250", await client.CommandAsync("NOOP", Token));
    }

    [Fact]
    public async Task LargeMessagesSpoolToDiskAndArriveWhole()
    {
        await using var server = LoopbackSmtpServer.Start(new SmtpReceivingOptions { SpoolMemoryThreshold = 4096 });
        await using var client = await OpenAsync(server);
        await BeginDataAsync(client);
        var body = new StringBuilder("Subject: big\r\n\r\n");
        for (var i = 0; i < 5000; i++)
        {
            body.Append("line ").Append(i).Append(" of a large message\r\n");
        }

        await client.SendAsync(body + ".\r\n", Token);
        Assert.StartsWith("250 2.0.0", await client.ReadReplyAsync(Token));
        var (_, content) = Assert.Single(server.Pipeline.Submitted);
        Assert.EndsWith(body.ToString(), Encoding.UTF8.GetString(content));
        Assert.Empty(Directory.GetFiles(server.SpoolDirectory));
    }

    [Theory]
    [InlineData(29, true)]
    [InlineData(30, false)]
    public async Task TooManyReceivedHeadersIsALoop(int count, bool accepted)
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        await BeginDataAsync(client);
        var headers = string.Concat(Enumerable.Repeat("Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n", count));
        await client.SendAsync(headers + "Subject: loop\r\n\r\nreceived: not a header\r\n.\r\n", Token);
        var reply = await client.ReadReplyAsync(Token);
        Assert.StartsWith(accepted ? "250 2.0.0" : "554 5.4.6", reply);
    }

    [Fact]
    public async Task TooManyRecipientsGet452()
    {
        await using var server = LoopbackSmtpServer.Start(new SmtpReceivingOptions { MaxRecipients = 1 });
        await using var client = await OpenAsync(server);
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token));
        Assert.StartsWith("250 2.1.5", await client.CommandAsync("RCPT TO:<a@example.test>", Token));
        Assert.StartsWith("452 4.5.3", await client.CommandAsync("RCPT TO:<b@example.test>", Token));
    }

    [Fact]
    public async Task DsnAndUtf8ParametersAreKeptWithTheMessage()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<sé@remote.test> SMTPUTF8 BODY=8BITMIME RET=HDRS ENVID=abc+2Bdef SIZE=100", Token));
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<a@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+40example.test", Token));
        Assert.StartsWith("555 5.5.4", await client.CommandAsync("RCPT TO:<b@example.test> NOTIFY=NEVER,SUCCESS", Token));
        Assert.StartsWith("354", await client.CommandAsync("DATA", Token));
        await client.SendAsync("Subject: ünïcode\r\n\r\nbody\r\n.\r\n", Token);
        Assert.StartsWith("250 2.0.0", await client.ReadReplyAsync(Token));
        var (envelope, content) = Assert.Single(server.Pipeline.Submitted);
        Assert.Equal("sé@remote.test", envelope.MailFrom);
        Assert.True(envelope.SmtpUtf8);
        Assert.Equal("8BITMIME", envelope.Body);
        Assert.Equal("HDRS", envelope.DsnReturn);
        Assert.Equal("abc+def", envelope.DsnEnvelopeId);
        var recipient = Assert.Single(envelope.Recipients);
        Assert.Equal(["SUCCESS", "FAILURE"], recipient.Notify!);
        Assert.Equal("rfc822;a+40example.test", recipient.OriginalRecipient);
        Assert.Contains("with UTF8SMTP id", Encoding.UTF8.GetString(content));
    }

    [Fact]
    public async Task NonAsciiAddressWithoutSmtpUtf8IsRefused()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        Assert.StartsWith("553 5.6.7", await client.CommandAsync("MAIL FROM:<sé@remote.test>", Token));
    }

    [Fact]
    public async Task BdatChunksMakeOneMessage()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token));
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<a@example.test>", Token));
        var part1 = "Subject: chunks\r\n\r\nQUIT\r\n.\r\n";
        var part2 = "RSET\r\nsecond part\r\n";
        await client.SendAsync($"BDAT {part1.Length}\r\n{part1}BDAT {part2.Length} LAST\r\n{part2}", Token);
        Assert.StartsWith($"250 2.0.0 {part1.Length} octets", await client.ReadReplyAsync(Token));
        Assert.StartsWith("250 2.0.0 Ok: queued as", await client.ReadReplyAsync(Token));
        var (_, content) = Assert.Single(server.Pipeline.Submitted);
        Assert.EndsWith(part1 + part2, Encoding.UTF8.GetString(content));
    }

    [Fact]
    public async Task BdatBytesAreReadEvenWithoutATransaction()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        var payload = "MAIL FROM:<evil@remote.test>\r\n";
        await client.SendAsync($"BDAT {payload.Length} LAST\r\n{payload}NOOP\r\n", Token);
        Assert.StartsWith("503 5.5.1", await client.ReadReplyAsync(Token));
        Assert.StartsWith("250 2.0.0 Ok", await client.ReadReplyAsync(Token));
    }

    [Fact]
    public async Task OversizedBdatIsRefusedAfterReadingIt()
    {
        await using var server = LoopbackSmtpServer.Start(new SmtpReceivingOptions { MaxMessageSize = 1000 });
        await using var client = await OpenAsync(server);
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token));
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<a@example.test>", Token));
        var chunk = string.Concat(Enumerable.Repeat(new string('y', 98) + "\r\n", 20));
        await client.SendAsync($"BDAT {chunk.Length} LAST\r\n{chunk}", Token);
        Assert.StartsWith("552 5.3.4", await client.ReadReplyAsync(Token));
        Assert.StartsWith("250", await client.CommandAsync("NOOP", Token));
        Assert.Empty(server.Pipeline.Submitted);
    }

    [Theory]
    [InlineData("reject", "554 5.7.1 Spam")]
    [InlineData("tempfail", "451 4.7.1 Try later")]
    public async Task PipelineVerdictBecomesTheReply(string kind, string expected)
    {
        await using var server = LoopbackSmtpServer.Start();
        server.Pipeline.Verdict = kind == "reject" ? FilterVerdict.Reject(554, "5.7.1", "Spam") : FilterVerdict.TempFail(451, "4.7.1", "Try later");
        await using var client = await OpenAsync(server);
        await BeginDataAsync(client);
        await client.SendAsync("Subject: x\r\n\r\nx\r\n.\r\n", Token);
        Assert.Equal(expected, await client.ReadReplyAsync(Token));
    }
}
