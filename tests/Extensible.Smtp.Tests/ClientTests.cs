using System.Text;
using Extensible.Smtp.Tests.Support;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using static Extensible.Smtp.Tests.Support.Sessions;

namespace Extensible.Smtp.Tests;

/// <summary>Real clients (MailKit, Python's smtplib) against the handler on a loopback socket.</summary>
public sealed class ClientTests
{
    private static MimeMessage Message(string to, string subject, string body = "Hello.\r\n.leading dot\r\n")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("a@example.test"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    private static SmtpClient Client() => new() { ServerCertificateValidationCallback = (_, certificate, _, _) => certificate is not null };

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    [InlineData("SCRAM-SHA-256")]
    public async Task MailKitSubmitsWithStartTlsAndEachMechanism(string mechanism)
    {
        await using var server = LoopbackSmtpServer.Start(listenerName: "submission");
        using var client = Client();
        await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.StartTls, Token);
        Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Pipelining));
        Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Chunking));
        Assert.Contains(mechanism, client.AuthenticationMechanisms);
        SaslMechanism sasl = mechanism switch
        {
            "PLAIN" => new SaslMechanismPlain("a@example.test", "secret"),
            "LOGIN" => new SaslMechanismLogin("a@example.test", "secret"),
            _ => new SaslMechanismScramSha256("a@example.test", "secret"),
        };
        await client.AuthenticateAsync(sasl, Token);
        Assert.True(client.IsAuthenticated);
        var response = await client.SendAsync(Message("someone@remote.test", "via " + mechanism), Token);
        Assert.Equal("2.0.0 Ok: queued as Q1", response);
        await client.DisconnectAsync(true, Token);
        var (envelope, content) = Assert.Single(server.Pipeline.Submitted);
        Assert.Equal("someone@remote.test", Assert.Single(envelope.Recipients).Address);
        Assert.Contains("with ESMTPSA", Encoding.UTF8.GetString(content));
        Assert.Contains(".leading dot", Encoding.UTF8.GetString(content));
    }

    [Fact]
    public async Task MailKitWrongPasswordFails()
    {
        await using var server = LoopbackSmtpServer.Start(listenerName: "submission");
        using var client = Client();
        await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.StartTls, Token);
        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(new SaslMechanismScramSha256("a@example.test", "wrong"), Token));
        await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync("a@example.test", "wrong", Token));
    }

    [Fact]
    public async Task MailKitSendsManyMessagesOnOneConnection()
    {
        await using var server = LoopbackSmtpServer.Start();
        using var client = Client();
        await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.None, Token);
        for (var i = 0; i < 20; i++)
        {
            await client.SendAsync(Message(i % 2 == 0 ? "a@example.test" : "b@example.test", "n" + i), Token);
        }

        await client.DisconnectAsync(true, Token);
        Assert.Equal(20, server.Pipeline.Submitted.Count);
    }

    [Fact]
    public async Task MailKitSeesUnknownUserAndRelayRefusals()
    {
        await using var server = LoopbackSmtpServer.Start();
        using var client = Client();
        await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.None, Token);
        var unknown = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("nobody@example.test", "x"), Token));
        Assert.Equal(SmtpStatusCode.MailboxUnavailable, unknown.StatusCode);
        var relay = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(Message("victim@remote.test", "x"), Token));
        Assert.Equal(SmtpStatusCode.TransactionFailed, relay.StatusCode);
        Assert.Empty(server.Pipeline.Submitted);
    }

    [Fact]
    public async Task PythonSmtplibSendsOverStartTlsWithAuth()
    {
        await using var server = LoopbackSmtpServer.Start(listenerName: "submission");
        const string script = """
            import smtplib, ssl, sys
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20) as s:
                s.ehlo("py.test")
                s.starttls(context=ctx)
                s.ehlo("py.test")
                s.login("a@example.test", "secret")
                refused = s.sendmail("a@example.test", ["b@example.test", "x@remote.test"],
                    b"Subject: from python\r\n\r\nline one\r\n.dot line\r\n")
                print("refused", refused)
                code, msg = s.docmd("NOOP")
                print("noop", code)
            """;
        var (exitCode, output) = await PythonSmtp.RunAsync(script, server.Port, Token);
        Assert.True(exitCode == 0, output);
        Assert.Contains("refused {}", output);
        var (envelope, content) = Assert.Single(server.Pipeline.Submitted);
        Assert.Equal(["b@example.test", "x@remote.test"], envelope.Recipients.Select(r => r.Address));
        Assert.EndsWith("Subject: from python\r\n\r\nline one\r\n.dot line\r\n", Encoding.UTF8.GetString(content));
    }

    [Fact]
    public async Task PythonSmtplibPlainSessionToMx()
    {
        await using var server = LoopbackSmtpServer.Start();
        const string script = """
            import smtplib, sys
            with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20) as s:
                try:
                    s.sendmail("s@remote.test", ["x@remote.test"], b"Subject: relay\r\n\r\nx\r\n")
                    print("relayed")
                except smtplib.SMTPRecipientsRefused as e:
                    print("refused", e.recipients["x@remote.test"][0])
                s.sendmail("s@remote.test", ["a@example.test"], b"Subject: local\r\n\r\nx\r\n")
                print("sent")
            """;
        var (exitCode, output) = await PythonSmtp.RunAsync(script, server.Port, Token);
        Assert.True(exitCode == 0, output);
        Assert.Contains("refused 554", output);
        Assert.Contains("sent", output);
        Assert.Single(server.Pipeline.Submitted);
    }
}
