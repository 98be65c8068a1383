using System.Text;
using Extensible.Sdk.Plugins;
using Extensible.Smtp.Tests.Support;
using static Extensible.Smtp.Tests.Support.Sessions;

namespace Extensible.Smtp.Tests;

public sealed class AuthTlsTests
{
    [Fact]
    public async Task PlainTextAuthNeedsTls()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        Assert.StartsWith("538 5.7.11", await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String("\0a@example.test\0secret"u8), Token));
        Assert.StartsWith("538 5.7.11", await client.CommandAsync("AUTH LOGIN", Token));
        Assert.StartsWith("504 5.5.4", await client.CommandAsync("AUTH CRAM-MD5", Token));
    }

    [Fact]
    public async Task StartTlsDiscardsPipelinedCommandsAndResetsTheSession()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        // RFC 3207 5: anything sent with STARTTLS before the handshake must be dropped (CVE-2011-0411 command injection).
        await client.SendAsync("STARTTLS\r\nMAIL FROM:<injected@remote.test>\r\n", Token);
        Assert.StartsWith("220 2.0.0", await client.ReadReplyAsync(Token));
        await client.StartTlsAsync(Token);
        Assert.StartsWith("503 5.5.1", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token)); // EHLO needed again, no injected MAIL
        var ehlo = await client.CommandAsync("EHLO client.test", Token);
        Assert.Contains("AUTH SCRAM-SHA-256 PLAIN LOGIN", ehlo);
        Assert.DoesNotContain("STARTTLS", ehlo);
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token));
    }

    [Fact]
    public async Task AuthLoginAfterTlsAndReceivedHeaderShowsIt()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        Assert.StartsWith("220", await client.CommandAsync("STARTTLS", Token));
        await client.StartTlsAsync(Token);
        Assert.StartsWith("250", await client.CommandAsync("EHLO client.test", Token));
        Assert.Equal("334 VXNlcm5hbWU6", await client.CommandAsync("AUTH LOGIN", Token));
        Assert.Equal("334 UGFzc3dvcmQ6", await client.CommandAsync(Convert.ToBase64String("a@example.test"u8), Token));
        Assert.StartsWith("235 2.7.0", await client.CommandAsync(Convert.ToBase64String("secret"u8), Token));
        await BeginDataAsync(client, from: "a@example.test", to: "b@example.test");
        await client.SendAsync("Subject: x\r\n\r\nx\r\n.\r\n", Token);
        Assert.StartsWith("250 2.0.0", await client.ReadReplyAsync(Token));
        var (envelope, content) = Assert.Single(server.Pipeline.Submitted);
        var text = Encoding.UTF8.GetString(content);
        Assert.Matches(@"^Received: from client\.test \(\[127\.0\.0\.1\]\)\r\n\t\(using TLSv1\.[23] with cipher \w+\)\r\n\tby mx\.example\.test \(Extensible\) with ESMTPSA id ", text);
        Assert.Equal("submission", envelope.Source);
        Assert.True(envelope.Secure);
        Assert.Equal("a@example.test", envelope.AuthenticatedUser?.Address);
    }

    [Fact]
    public async Task AuthCancelAndBadBase64AreProtocolErrors()
    {
        await using var server = LoopbackSmtpServer.Start(listener: new() { AllowPlainAuth = true });
        await using var client = await OpenAsync(server);
        Assert.StartsWith("334", await client.CommandAsync("AUTH PLAIN", Token));
        Assert.StartsWith("501 5.0.0", await client.CommandAsync("*", Token));
        Assert.StartsWith("501 5.5.2", await client.CommandAsync("AUTH PLAIN !!!notbase64", Token));
        Assert.StartsWith("250", await client.CommandAsync("NOOP", Token));
    }

    [Fact]
    public async Task AnAuthenticatedClientMaySendOnlyAsItsOwnAddressesOrTheNullSender()
    {
        await using var server = LoopbackSmtpServer.Start(listener: new() { AllowPlainAuth = true });
        await using var client = await OpenAsync(server);
        Assert.StartsWith("235 2.7.0", await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String("\0a@example.test\0secret"u8), Token));
        Assert.Equal("553 5.7.1 Sender address rejected: not owned by the authenticated user", await client.CommandAsync("MAIL FROM:<b@example.test>", Token));
        Assert.Equal("553 5.7.1 Sender address rejected: not owned by the authenticated user", await client.CommandAsync("MAIL FROM:<ceo@remote.test>", Token));
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<A@Example.Test>", Token));
        Assert.StartsWith("250 2.0.0", await client.CommandAsync("RSET", Token));
        Assert.StartsWith("250 2.1.0", await client.CommandAsync("MAIL FROM:<>", Token));
    }

    [Fact]
    public async Task RepeatedAuthFailuresDropTheConnectionAndAreReported()
    {
        await using var server = LoopbackSmtpServer.Start(listener: new() { AllowPlainAuth = true }, limits: new ServiceLimits { MaxAuthErrors = 2 });
        await using var client = await OpenAsync(server);
        var bad = "AUTH PLAIN " + Convert.ToBase64String("\0a@example.test\0wrong"u8);
        Assert.Equal("535 5.7.8 Authentication credentials invalid", await client.CommandAsync(bad, Token));
        Assert.Equal("535 5.7.8 Authentication credentials invalid", await client.CommandAsync(bad, Token));
        Assert.StartsWith("421 4.7.0", await client.ReadReplyAsync(Token));
        Assert.True(await client.IsClosedAsync(Token));
        var connection = Assert.Single(server.Connections);
        Assert.Equal(2, connection.AuthenticationFailures);
        Assert.DoesNotContain(connection.TranscriptLines, line => line.Contains("AGFAZXhhbXBsZS50ZXN0AHdyb25n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImplicitTlsListenerSpeaksSmtpInsideTls()
    {
        await using var server = LoopbackSmtpServer.Start(listenerName: "smtps", implicitTls: true);
        await using var client = await RawSmtpClient.ConnectAsync(server.Port, Token, implicitTls: true);
        Assert.StartsWith("220", await client.ReadReplyAsync(Token));
        var ehlo = await client.CommandAsync("EHLO client.test", Token);
        Assert.Contains("AUTH SCRAM-SHA-256 PLAIN LOGIN", ehlo);
        Assert.StartsWith("530 5.7.0", await client.CommandAsync("MAIL FROM:<a@example.test>", Token));
    }
}
