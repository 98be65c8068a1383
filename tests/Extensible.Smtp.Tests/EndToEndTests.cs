using System.Text.Json.Nodes;
using Extensible.Testing;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using static Extensible.Smtp.Tests.Support.Sessions;

namespace Extensible.Smtp.Tests;

/// <summary>The real host out of process with Storage, Processing, SmtpReceiving (and POP3 to look into the INBOX).</summary>
public sealed class EndToEndTests
{
    private static readonly string[] Plugins = ["Storage", "Processing", "SmtpReceiving", "Pop3"];

    private static Task<TestServer> StartAsync(Action<JsonObject>? configure = null) =>
        TestServer.StartAsync(new TestServerOptions { Plugins = Plugins, Configure = configure, LogLevel = "Information" }, Token);

    private static int Port(TestServer server, string service, string listener)
    {
        try
        {
            return server.Port(service, listener);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or KeyNotFoundException)
        {
            throw new InvalidOperationException($"no {service}/{listener} listener; server log:\n{server.LogTail(80)}", ex);
        }
    }

    private static MimeMessage Message(string from, string to, string subject)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Body of " + subject + "\r\n" };
        return message;
    }

    private static async Task<IReadOnlyList<MimeMessage>> WaitForInboxAsync(TestServer server, string user, string password, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        for (var attempt = 0; attempt < 300; attempt++)
        {
            using var pop3 = new Pop3Client { ServerCertificateValidationCallback = (_, certificate, _, _) => certificate is not null };
            await pop3.ConnectAsync("127.0.0.1", Port(server, "pop3", "pop3"), SecureSocketOptions.StartTls, Token);
            await pop3.AuthenticateAsync(user, password, Token);
            if (pop3.Count >= count || DateTime.UtcNow > deadline)
            {
                var messages = new List<MimeMessage>();
                for (var i = 0; i < pop3.Count; i++)
                {
                    messages.Add(await pop3.GetMessageAsync(i, Token));
                }

                await pop3.DisconnectAsync(true, Token);
                return messages;
            }

            await pop3.DisconnectAsync(true, Token);
            await Task.Delay(100, Token);
        }

        return [];
    }

    [Fact]
    public async Task MessageSentToALocalUserLandsInItsInbox()
    {
        await using var server = await StartAsync(config =>
            TestServer.Service(config, "pop3")["Listeners"] = new JsonArray(new JsonObject { ["Name"] = "pop3", ["Address"] = "127.0.0.1:0" }));
        var mx = Port(server, "smtp-receiving", "mx"); // read before admin commands run: see the report on listeners.json
        Port(server, "pop3", "pop3");
        await server.AddUserAsync("a@example.test", "secret", Token);
        using (var client = new SmtpClient())
        {
            await client.ConnectAsync("127.0.0.1", mx, SecureSocketOptions.None, Token);
            var reply = await client.SendAsync(Message("sender@remote.test", "a@example.test", "end to end"), Token);
            Assert.StartsWith("2.0.0 Ok: queued as ", reply, StringComparison.Ordinal);
            var unknown = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("sender@remote.test", "nobody@example.test", "x"), Token));
            Assert.Equal(SmtpStatusCode.MailboxUnavailable, unknown.StatusCode);
            var relay = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("sender@remote.test", "victim@remote.test", "x"), Token));
            Assert.Equal(SmtpStatusCode.TransactionFailed, relay.StatusCode);
            await client.DisconnectAsync(true, Token);
        }

        var inbox = await WaitForInboxAsync(server, "a@example.test", "secret", 1);
        var message = Assert.Single(inbox);
        Assert.Equal("end to end", message.Subject);
        Assert.StartsWith("from ", message.Headers[HeaderId.Received], StringComparison.Ordinal);
        Assert.Contains("with ESMTP id", message.Headers[HeaderId.Received], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmissionWithStartTlsAndScramThroughTheHost()
    {
        await using var server = await StartAsync(config =>
            TestServer.Service(config, "pop3")["Listeners"] = new JsonArray(new JsonObject { ["Name"] = "pop3", ["Address"] = "127.0.0.1:0" }));
        var submission = Port(server, "smtp-receiving", "submission");
        Port(server, "pop3", "pop3");
        await server.AddUserAsync("a@example.test", "secret", Token);
        await server.AddUserAsync("b@example.test", "secret2", Token);
        using (var client = new SmtpClient { ServerCertificateValidationCallback = (_, certificate, _, _) => certificate is not null })
        {
            await client.ConnectAsync("127.0.0.1", submission, SecureSocketOptions.StartTls, Token);
            Assert.DoesNotContain("STARTTLS", client.Capabilities.ToString(), StringComparison.Ordinal);
            await client.AuthenticateAsync(new SaslMechanismScramSha256("a@example.test", "secret"), Token);
            await client.SendAsync(Message("a@example.test", "b@example.test", "submitted"), Token);
            await client.DisconnectAsync(true, Token);
        }

        var message = Assert.Single(await WaitForInboxAsync(server, "b@example.test", "secret2", 1));
        Assert.Contains("with ESMTPSA", message.Headers[HeaderId.Received], StringComparison.Ordinal);
        Assert.Contains("(using TLSv1.", message.Headers[HeaderId.Received], StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostDropsInputPipelinedAfterStartTls()
    {
        await using var server = await StartAsync();
        await using var client = await Support.RawSmtpClient.ConnectAsync(Port(server, "smtp-receiving", "mx"), Token);
        Assert.StartsWith("220", await client.ReadReplyAsync(Token));
        Assert.StartsWith("250", await client.CommandAsync("EHLO client.test", Token));
        await client.SendAsync("STARTTLS\r\nRSET\r\nMAIL FROM:<injected@remote.test>\r\n", Token);
        Assert.StartsWith("220 2.0.0", await client.ReadReplyAsync(Token));
        await client.StartTlsAsync(Token);
        // Had the injected lines survived, they would be answered here before NOOP's reply.
        Assert.StartsWith("250 2.0.0 Ok", await client.CommandAsync("NOOP", Token));
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token));
    }

    [Fact]
    public async Task ConfigDrivesOptionsListenerRolesAndLimits()
    {
        await using var server = await StartAsync(config =>
        {
            var service = TestServer.Service(config, "smtp-receiving");
            service["MaxAuthErrors"] = 2;
            service["Options"] = new JsonObject { ["MaxReceivedHeaders"] = 3, ["MaxMessageSize"] = 50_000 };
            service["Listeners"] = new JsonArray(
                new JsonObject { ["Name"] = "mx", ["Address"] = "127.0.0.1:0" },
                new JsonObject { ["Name"] = "plain-submission", ["Address"] = "127.0.0.1:0", ["Options"] = new JsonObject { ["Role"] = "Submission", ["AllowPlainAuth"] = true } });
        });
        var mx = Port(server, "smtp-receiving", "mx");
        var submission = Port(server, "smtp-receiving", "plain-submission");
        await server.AddUserAsync("a@example.test", "secret", Token);

        await using (var client = await Support.RawSmtpClient.ConnectAsync(mx, Token))
        {
            Assert.StartsWith("220", await client.ReadReplyAsync(Token));
            Assert.Contains("SIZE 50000", await client.CommandAsync("EHLO client.test", Token));
            Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token));
            Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<a@example.test>", Token));
            Assert.StartsWith("354", await client.CommandAsync("DATA", Token));
            await client.SendAsync("Received: a\r\nReceived: b\r\nReceived: c\r\nSubject: loop\r\n\r\nx\r\n.\r\n", Token);
            Assert.StartsWith("554 5.4.6", await client.ReadReplyAsync(Token));
            Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token));
            Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<a@example.test>", Token));
            Assert.StartsWith("354", await client.CommandAsync("DATA", Token));
            await client.SendAsync("Subject: one\r\n\r\nfirst\n.\nMAIL FROM:<evil@remote.test>\r\nRCPT TO:<a@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n", Token);
            Assert.StartsWith("550 5.6.0", await client.ReadReplyAsync(Token));
            Assert.StartsWith("250 2.0.0", await client.CommandAsync("NOOP", Token));
        }

        await using (var client = await Support.RawSmtpClient.ConnectAsync(submission, Token))
        {
            Assert.StartsWith("220", await client.ReadReplyAsync(Token));
            Assert.Contains("AUTH SCRAM-SHA-256 PLAIN LOGIN", await client.CommandAsync("EHLO client.test", Token));
            Assert.StartsWith("530 5.7.0", await client.CommandAsync("MAIL FROM:<a@example.test>", Token));
            var bad = "AUTH PLAIN " + Convert.ToBase64String("\0a@example.test\0wrong"u8);
            Assert.StartsWith("535 5.7.8", await client.CommandAsync(bad, Token));
            Assert.StartsWith("535 5.7.8", await client.CommandAsync(bad, Token));
            Assert.StartsWith("421 4.7.0", await client.ReadReplyAsync(Token));
            Assert.True(await client.IsClosedAsync(Token));
        }
    }

    [Fact]
    public async Task ReloadAppliesNewOptionsToNewSessions()
    {
        await using var server = await StartAsync(config => TestServer.ServiceOptions(config, "smtp-receiving")["MaxMessageSize"] = 10_000);
        var mx = Port(server, "smtp-receiving", "mx");
        async Task<string?> EhloAsync()
        {
            await using var client = await Support.RawSmtpClient.ConnectAsync(mx, Token);
            Assert.StartsWith("220", await client.ReadReplyAsync(Token));
            return await client.CommandAsync("EHLO client.test", Token);
        }

        Assert.Contains("SIZE 10000", await EhloAsync());
        await server.RewriteConfigAsync(config => TestServer.ServiceOptions(config, "smtp-receiving")["MaxMessageSize"] = 20_000, Token);
        await server.ReloadAsync(Token);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string? ehlo;
        var attempts = 0;
        do
        {
            ehlo = await EhloAsync();
        }
        while (ehlo?.Contains("SIZE 20000", StringComparison.Ordinal) != true && ++attempts < 200 && DateTime.UtcNow < deadline);

        Assert.Contains("SIZE 20000", ehlo);
    }
}
