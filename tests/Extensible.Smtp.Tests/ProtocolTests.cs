using Extensible.Sdk.Plugins;
using Extensible.Smtp.Tests.Support;
using Extensible.SmtpReceiving;
using static Extensible.Smtp.Tests.Support.Sessions;

namespace Extensible.Smtp.Tests;

public sealed class ProtocolTests
{
    [Fact]
    public async Task GreetsAndAdvertisesExtensions()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await RawSmtpClient.ConnectAsync(server.Port, Token);
        Assert.Equal("220 mx.example.test ESMTP Extensible", await client.ReadReplyAsync(Token));
        var ehlo = await client.CommandAsync("EHLO client.test", Token);
        Assert.NotNull(ehlo);
        foreach (var extension in new[] { "PIPELINING", "SIZE 26214400", "8BITMIME", "ENHANCEDSTATUSCODES", "STARTTLS", "SMTPUTF8", "CHUNKING", "DSN", "AUTH SCRAM-SHA-256" })
        {
            Assert.Contains(extension, ehlo);
        }

        Assert.DoesNotContain("PLAIN", ehlo); // plain-text mechanisms only after TLS
        Assert.StartsWith("221 2.0.0", await client.CommandAsync("QUIT", Token));
        Assert.True(await client.IsClosedAsync(Token));
    }

    [Fact]
    public async Task EveryReplyCarriesAnEnhancedStatusCode()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        string[] commands = ["NOOP", "RSET", "VRFY a", "EXPN a", "HELP", "FOO", "RCPT TO:<a@example.test>", "DATA", "MAIL FROM:<x>", "MAIL FROM:<s@remote.test>", "MAIL FROM:<s@remote.test>", "RCPT TO:<nobody@example.test>", "RCPT TO:<a@example.test>", "RSET"];
        foreach (var command in commands)
        {
            var reply = await client.CommandAsync(command, Token);
            Assert.NotNull(reply);
            Assert.Matches(@"^[2-5]\d\d [2-5]\.\d{1,3}\.\d{1,3} ", reply);
        }
    }

    [Fact]
    public async Task RefusesCommandsOutOfOrder()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server, ehlo: false);
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token));
        Assert.StartsWith("250", await client.CommandAsync("EHLO client.test", Token));
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("RCPT TO:<a@example.test>", Token));
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("DATA", Token));
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token));
        Assert.StartsWith("554 5.5.1", await client.CommandAsync("DATA", Token));
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token));
    }

    [Fact]
    public async Task ClosesAfterMaxErrors()
    {
        await using var server = LoopbackSmtpServer.Start(limits: new ServiceLimits { MaxErrors = 3 });
        await using var client = await OpenAsync(server);
        Assert.StartsWith("500 5.5.1", await client.CommandAsync("FOO", Token));
        Assert.StartsWith("500 5.5.1", await client.CommandAsync("BAR", Token));
        var last = await client.CommandAsync("BAZ", Token);
        Assert.Equal("500 5.5.1 Command unrecognized", last);
        Assert.StartsWith("421 4.7.0", await client.ReadReplyAsync(Token));
        Assert.True(await client.IsClosedAsync(Token));
    }

    [Fact]
    public async Task PipelinedCommandsGetTheirRepliesInOrder()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await RawSmtpClient.ConnectAsync(server.Port, Token);
        Assert.StartsWith("220", await client.ReadReplyAsync(Token));
        await client.SendAsync(
            "EHLO client.test\r\nMAIL FROM:<s@remote.test>\r\nRCPT TO:<a@example.test>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<b@example.test>\r\nDATA\r\n",
            Token);
        Assert.StartsWith("250-", await client.ReadReplyAsync(Token));
        Assert.StartsWith("250 2.1.0", await client.ReadReplyAsync(Token));
        Assert.StartsWith("250 2.1.5", await client.ReadReplyAsync(Token));
        Assert.StartsWith("550 5.1.1", await client.ReadReplyAsync(Token));
        Assert.StartsWith("250 2.1.5", await client.ReadReplyAsync(Token));
        Assert.StartsWith("354", await client.ReadReplyAsync(Token));
        await client.SendAsync("Subject: hi\r\n\r\nhello\r\n.\r\nMAIL FROM:<s@remote.test>\r\nRCPT TO:<a@example.test>\r\nDATA\r\n", Token);
        Assert.StartsWith("250 2.0.0 Ok: queued as Q1", await client.ReadReplyAsync(Token));
        Assert.StartsWith("250 2.1.0", await client.ReadReplyAsync(Token));
        Assert.StartsWith("250 2.1.5", await client.ReadReplyAsync(Token));
        Assert.StartsWith("354", await client.ReadReplyAsync(Token));
        await client.SendAsync("Subject: two\r\n\r\nsecond\r\n.\r\nQUIT\r\n", Token);
        Assert.StartsWith("250 2.0.0 Ok: queued as Q2", await client.ReadReplyAsync(Token));
        Assert.StartsWith("221", await client.ReadReplyAsync(Token));
        Assert.Equal(2, server.Pipeline.Submitted.Count);
        var first = server.Pipeline.Submitted.First();
        Assert.Equal(["a@example.test", "b@example.test"], first.Envelope.Recipients.Select(r => r.Address));
    }

    [Fact]
    public async Task LongAndBareLineFeedCommandLinesGetClearErrors()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        Assert.StartsWith("500 5.5.2", await client.CommandAsync("NOOP " + new string('x', 5000), Token));
        await client.SendAsync("NOOP\n", Token);
        Assert.StartsWith("500 5.5.2", await client.ReadReplyAsync(Token));
        Assert.StartsWith("250", await client.CommandAsync("NOOP", Token));
    }

    [Fact]
    public async Task TimesOutIdleClientsWith421()
    {
        await using var server = LoopbackSmtpServer.Start(new SmtpReceivingOptions { CommandTimeout = 1 });
        await using var client = await OpenAsync(server);
        Assert.StartsWith("421 4.4.2", await client.ReadReplyAsync(Token));
        Assert.True(await client.IsClosedAsync(Token));
    }
}
