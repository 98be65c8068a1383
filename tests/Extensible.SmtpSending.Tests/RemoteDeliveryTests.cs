using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Extensible.Sdk.Messages;
using Extensible.SmtpSending.Tests.Support;
using MimeKit;

namespace Extensible.SmtpSending.Tests;

public sealed class RemoteDeliveryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static SmtpSendingOptions Options(int port) => new() { Port = port, ConnectTimeoutSeconds = 5, CommandTimeoutSeconds = 20 };

    private static void Mx(Testing.Dns.LoopbackDnsServer dns, string domain, string host = "mx.remote.test") =>
        dns.AddMx(domain, 10, host).AddAddress(host, "127.0.0.1");

    [Fact]
    public async Task DeliversThroughMxAndReportsEachRecipient()
    {
        await using var peer = ScriptedSmtpPeer.Start("PIPELINING", "8BITMIME");
        peer.RcptReply = address => address switch
        {
            "nobody@remote.test" => "550 5.1.1 no such user",
            "full@remote.test" => "452 4.2.2 mailbox full",
            _ => null,
        };
        await using var harness = new DeliveryHarness(Options(peer.Port), dns => Mx(dns, "remote.test"));

        var results = await harness.Delivery.DeliverAsync(
            DeliveryHarness.Request("remote.test", "a@sender.test", "bob@remote.test", "nobody@remote.test", "full@remote.test"), Token);

        Assert.Equal(3, results.Count);
        Assert.Equal(RemoteDeliveryStatus.Delivered, results[0].Status);
        Assert.Equal("mx.remote.test", results[0].RemoteHost);
        Assert.StartsWith("smtp; 250", results[0].Diagnostic, StringComparison.Ordinal);
        Assert.Equal(RemoteDeliveryStatus.PermanentFailure, results[1].Status);
        Assert.Equal("5.1.1", results[1].EnhancedCode);
        Assert.Contains("550 5.1.1 no such user", results[1].Diagnostic, StringComparison.Ordinal);
        Assert.Equal(RemoteDeliveryStatus.TemporaryFailure, results[2].Status);
        Assert.Equal("4.2.2", results[2].EnhancedCode);
        var message = Assert.Single(peer.Messages);
        Assert.Equal("RCPT TO:<bob@remote.test>", Assert.Single(message.Rcpts));
        Assert.Contains("Subject: hello", message.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendsSeveralMessagesOverOneConnection()
    {
        await using var peer = ScriptedSmtpPeer.Start("8BITMIME");
        await using var harness = new DeliveryHarness(Options(peer.Port), dns => Mx(dns, "remote.test"));

        for (var i = 0; i < 3; i++)
        {
            var results = await harness.Delivery.DeliverAsync(DeliveryHarness.Request("remote.test", "a@sender.test", $"u{i}@remote.test"), Token);
            Assert.Equal(RemoteDeliveryStatus.Delivered, Assert.Single(results).Status);
        }

        Assert.Equal(3, peer.Messages.Count);
        Assert.Equal(1, peer.ConnectionCount);
        Assert.Equal(1, harness.Delivery.IdleConnections);
    }

    [Fact]
    public async Task ClosesConnectionsIdleLongerThanTheIdleTimeout()
    {
        await using var peer = ScriptedSmtpPeer.Start();
        var options = Options(peer.Port);
        await using var harness = new DeliveryHarness(options, dns => Mx(dns, "remote.test"));
        await harness.Delivery.DeliverAsync(DeliveryHarness.Request("remote.test", "a@sender.test", "u@remote.test"), Token);
        Assert.Equal(1, harness.Delivery.IdleConnections);

        options.IdleTimeoutSeconds = 0;
        await harness.Delivery.ReapAsync(Token);
        await harness.Delivery.DeliverAsync(DeliveryHarness.Request("remote.test", "a@sender.test", "v@remote.test"), Token);

        Assert.Equal(2, peer.ConnectionCount);
        Assert.Equal(2, peer.Messages.Count);
    }

    [Fact]
    public async Task OpensANewConnectionWhenThePooledOneWasClosed()
    {
        await using var harness = new DeliveryHarness(Options(0), dns => Mx(dns, "remote.test"));
        await using (var first = ScriptedSmtpPeer.Start())
        {
            harness.Options.Port = first.Port;
            var results = await harness.Delivery.DeliverAsync(DeliveryHarness.Request("remote.test", "a@sender.test", "u@remote.test"), Token);
            Assert.Equal(RemoteDeliveryStatus.Delivered, Assert.Single(results).Status);
        }

        // The first peer is gone (its pooled connection is dead); the next delivery must still succeed elsewhere.
        await using var second = ScriptedSmtpPeer.Start();
        harness.Options.Port = second.Port;
        var again = await harness.Delivery.DeliverAsync(DeliveryHarness.Request("remote.test", "a@sender.test", "v@remote.test"), Token);

        Assert.Equal(RemoteDeliveryStatus.Delivered, Assert.Single(again).Status);
        Assert.Single(second.Messages);
    }

    [Fact]
    public async Task LimitsConnectionsPerDomain()
    {
        await using var peer = ScriptedSmtpPeer.Start();
        peer.DataGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = Options(peer.Port);
        options.MaxConnectionsPerDomain = 2;
        await using var harness = new DeliveryHarness(options, dns => Mx(dns, "remote.test"));

        var deliveries = Enumerable.Range(0, 5)
            .Select(i => harness.Delivery.DeliverAsync(DeliveryHarness.Request("remote.test", "a@sender.test", $"u{i}@remote.test"), Token).AsTask())
            .ToList();
        Assert.True(await peer.DataReached.WaitAsync(TimeSpan.FromSeconds(30), Token));
        Assert.True(await peer.DataReached.WaitAsync(TimeSpan.FromSeconds(30), Token));

        // Two transactions are held open at end of data; no third connection may be opened meanwhile.
        Assert.False(await peer.DataReached.WaitAsync(TimeSpan.FromMilliseconds(500), Token));
        Assert.Equal(2, peer.ConnectionCount);
        peer.DataGate.SetResult();
        var results = await Task.WhenAll(deliveries).WaitAsync(TimeSpan.FromSeconds(60), Token);

        Assert.All(results, r => Assert.Equal(RemoteDeliveryStatus.Delivered, Assert.Single(r).Status));
        Assert.Equal(5, peer.Messages.Count);
        Assert.Equal(2, peer.PeakConcurrent);
        Assert.Equal(2, peer.ConnectionCount);
    }

    [Fact]
    public async Task DowngradesEightBitContentForAPeerWithout8BitMime()
    {
        await using var peer = ScriptedSmtpPeer.Start("PIPELINING");
        await using var harness = new DeliveryHarness(Options(peer.Port), dns => Mx(dns, "remote.test"));
        const string body = "Grüße aus Köln — ünïcödé\r\n";
        var content = Encoding.UTF8.GetBytes(
            "From: <a@sender.test>\r\nTo: <b@remote.test>\r\nSubject: eight\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body);

        var results = await harness.Delivery.DeliverAsync(
            DeliveryHarness.Request("remote.test", "a@sender.test", [new EnvelopeRecipient("b@remote.test")], content), Token);

        Assert.Equal(RemoteDeliveryStatus.Delivered, Assert.Single(results).Status);
        var received = Assert.Single(peer.Messages);
        Assert.All(received.Data, b => Assert.True(b < 128, "a byte above 127 reached a 7-bit peer"));
        Assert.DoesNotContain("BODY=8BITMIME", received.MailFrom, StringComparison.Ordinal);
        var parsed = MimeMessage.Load(new MemoryStream(received.Data), Token);
        var part = Assert.IsType<TextPart>(parsed.Body);
        Assert.Contains(part.ContentTransferEncoding, new[] { ContentEncoding.QuotedPrintable, ContentEncoding.Base64 });
        Assert.Equal(body, part.Text.ReplaceLineEndings("\r\n"));
    }

    [Fact]
    public async Task PassesEightBitContentToAPeerWith8BitMime()
    {
        await using var peer = ScriptedSmtpPeer.Start("8BITMIME");
        await using var harness = new DeliveryHarness(Options(peer.Port), dns => Mx(dns, "remote.test"));
        var content = Encoding.UTF8.GetBytes(
            "From: <a@sender.test>\r\nTo: <b@remote.test>\r\nSubject: eight\r\nMIME-Version: 1.0\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße\r\n");

        var results = await harness.Delivery.DeliverAsync(
            DeliveryHarness.Request("remote.test", "a@sender.test", [new EnvelopeRecipient("b@remote.test")], content), Token);

        Assert.Equal(RemoteDeliveryStatus.Delivered, Assert.Single(results).Status);
        var received = Assert.Single(peer.Messages);
        Assert.Contains("BODY=8BITMIME", received.MailFrom, StringComparison.Ordinal);
        Assert.Contains("Grüße", Encoding.UTF8.GetString(received.Data), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpoolsContentThatCannotSeekAndRemovesTheSpoolFile()
    {
        await using var peer = ScriptedSmtpPeer.Start("8BITMIME");
        await using var harness = new DeliveryHarness(Options(peer.Port), dns => Mx(dns, "remote.test"));
        var content = DeliveryHarness.SimpleMessage("a@sender.test", ["b@remote.test"], body: string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i:D4} of a long body\r\n")));
        var request = DeliveryHarness.Request("remote.test", "a@sender.test", [new EnvelopeRecipient("b@remote.test")], content) with
        {
            OpenContentAsync = _ => ValueTask.FromResult<Stream>(new ForwardOnlyStream(content)),
        };

        var result = Assert.Single(await harness.Delivery.DeliverAsync(request, Token));

        Assert.Equal(RemoteDeliveryStatus.Delivered, result.Status);
        Assert.Contains("line 0000 of a long body\r\n", Assert.Single(peer.Messages).Text, StringComparison.Ordinal);
        Assert.Contains("line 1999 of a long body\r\n", Assert.Single(peer.Messages).Text, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(harness.SpoolDirectory));
    }

    [Fact]
    public async Task UsesStartTlsWhenOfferedAndAcceptsASelfSignedCertificateByDefault()
    {
        await using var peer = ScriptedSmtpPeer.Start("8BITMIME");
        using var certificate = SelfSigned("mx.remote.test");
        peer.Certificate = certificate;
        await using var harness = new DeliveryHarness(Options(peer.Port), dns => Mx(dns, "remote.test"));

        var result = Assert.Single(await harness.Delivery.DeliverAsync(DeliveryHarness.Request("remote.test", "a@sender.test", "b@remote.test"), Token));

        Assert.Equal(RemoteDeliveryStatus.Delivered, result.Status);
        Assert.True(Assert.Single(peer.Messages).Secure);
    }

    [Fact]
    public async Task CertificateVerificationAndRequiredTlsRefuseToSendInTheClear()
    {
        await using var selfSigned = ScriptedSmtpPeer.Start();
        using var certificate = SelfSigned("mx.remote.test");
        selfSigned.Certificate = certificate;
        await using var plain = ScriptedSmtpPeer.Start();
        var verifying = Options(selfSigned.Port);
        verifying.VerifyCertificates = true;
        var requiring = Options(plain.Port);
        requiring.Tls = TlsPolicy.Required;

        await using var first = new DeliveryHarness(verifying, dns => Mx(dns, "remote.test"));
        await using var second = new DeliveryHarness(requiring, dns => Mx(dns, "remote.test"));
        var unverified = Assert.Single(await first.Delivery.DeliverAsync(DeliveryHarness.Request("remote.test", "a@sender.test", "b@remote.test"), Token));
        var untls = Assert.Single(await second.Delivery.DeliverAsync(DeliveryHarness.Request("remote.test", "a@sender.test", "b@remote.test"), Token));

        Assert.Equal(RemoteDeliveryStatus.TemporaryFailure, unverified.Status);
        Assert.Equal(RemoteDeliveryStatus.TemporaryFailure, untls.Status);
        Assert.Empty(selfSigned.Messages);
        Assert.Empty(plain.Messages);
    }

    [Fact]
    public async Task NullMxIsAPermanentFailure()
    {
        await using var peer = ScriptedSmtpPeer.Start();
        await using var harness = new DeliveryHarness(Options(peer.Port), dns => dns.AddNullMx("nomail.test").AddAddress("nomail.test", "127.0.0.1"));

        var result = Assert.Single(await harness.Delivery.DeliverAsync(DeliveryHarness.Request("nomail.test", "a@sender.test", "b@nomail.test"), Token));

        Assert.Equal(RemoteDeliveryStatus.PermanentFailure, result.Status);
        Assert.Equal("5.1.10", result.EnhancedCode);
        Assert.Equal(0, peer.ConnectionCount);
    }

    [Fact]
    public async Task ADeadRemoteIsATemporaryFailure()
    {
        var closedPort = ClosedPort();
        await using var harness = new DeliveryHarness(Options(closedPort), dns => Mx(dns, "dead.test"));

        var result = Assert.Single(await harness.Delivery.DeliverAsync(DeliveryHarness.Request("dead.test", "a@sender.test", "b@dead.test"), Token));

        Assert.Equal(RemoteDeliveryStatus.TemporaryFailure, result.Status);
        Assert.StartsWith("4.", result.EnhancedCode, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", result.Diagnostic, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DnsServerFailureIsTemporaryAndNxDomainPermanent()
    {
        await using var harness = new DeliveryHarness(Options(25), dns => dns.ServerFailure("broken.test"));

        var servfail = Assert.Single(await harness.Delivery.DeliverAsync(DeliveryHarness.Request("broken.test", "a@sender.test", "b@broken.test"), Token));
        var nxdomain = Assert.Single(await harness.Delivery.DeliverAsync(DeliveryHarness.Request("missing.test", "a@sender.test", "b@missing.test"), Token));

        Assert.Equal(RemoteDeliveryStatus.TemporaryFailure, servfail.Status);
        Assert.Equal("4.4.3", servfail.EnhancedCode);
        Assert.Equal(RemoteDeliveryStatus.PermanentFailure, nxdomain.Status);
        Assert.Equal("5.1.2", nxdomain.EnhancedCode);
    }

    [Fact]
    public async Task UsesAddressRecordsWhenTheDomainHasNoMx()
    {
        await using var peer = ScriptedSmtpPeer.Start();
        await using var harness = new DeliveryHarness(Options(peer.Port), dns => dns.AddAddress("plain.test", "127.0.0.1"));

        var result = Assert.Single(await harness.Delivery.DeliverAsync(DeliveryHarness.Request("plain.test", "a@sender.test", "b@plain.test"), Token));

        Assert.Equal(RemoteDeliveryStatus.Delivered, result.Status);
        Assert.Equal("plain.test", result.RemoteHost);
    }

    [Fact]
    public async Task TriesTheNextMxWhenTheFirstIsDown()
    {
        await using var peer = ScriptedSmtpPeer.Start();
        await using var harness = new DeliveryHarness(Options(peer.Port), dns => dns
            .AddMx("two.test", 10, "down.two.test").AddAddress("down.two.test", "127.0.0.2")
            .AddMx("two.test", 20, "up.two.test").AddAddress("up.two.test", "127.0.0.1"));

        var result = Assert.Single(await harness.Delivery.DeliverAsync(DeliveryHarness.Request("two.test", "a@sender.test", "b@two.test"), Token));

        Assert.Equal(RemoteDeliveryStatus.Delivered, result.Status);
        Assert.Equal("up.two.test", result.RemoteHost);
    }

    [Fact]
    public async Task AnMxPointingBackToThisServerIsAPermanentLoop()
    {
        await using var peer = ScriptedSmtpPeer.Start();
        await using var harness = new DeliveryHarness(Options(peer.Port), dns => dns.AddMx("loop.test", 10, "sender.test").AddAddress("sender.test", "127.0.0.1"));

        var result = Assert.Single(await harness.Delivery.DeliverAsync(DeliveryHarness.Request("loop.test", "a@sender.test", "b@loop.test"), Token));

        Assert.Equal(RemoteDeliveryStatus.PermanentFailure, result.Status);
        Assert.Equal("5.4.6", result.EnhancedCode);
        Assert.Equal(0, peer.ConnectionCount);
    }

    [Fact]
    public async Task PassesDsnParametersOnlyToPeersWithDsn()
    {
        await using var withDsn = ScriptedSmtpPeer.Start("DSN");
        await using var withoutDsn = ScriptedSmtpPeer.Start();
        var envelope = new MessageEnvelope
        {
            MailFrom = "a@sender.test",
            Recipients = [new EnvelopeRecipient("b@remote.test", ["SUCCESS", "FAILURE"], "rfc822;b@remote.test")],
            Source = "smtp",
            DsnReturn = "HDRS",
            DsnEnvelopeId = "id 1+x",
        };

        foreach (var peer in new[] { withDsn, withoutDsn })
        {
            await using var harness = new DeliveryHarness(Options(peer.Port), dns => Mx(dns, "remote.test"));
            var result = Assert.Single(await harness.Delivery.DeliverAsync(
                DeliveryHarness.Request("remote.test", "a@sender.test", envelope.Recipients, DeliveryHarness.SimpleMessage("a@sender.test", ["b@remote.test"]), envelope), Token));
            Assert.Equal(RemoteDeliveryStatus.Delivered, result.Status);
        }

        var dsn = Assert.Single(withDsn.Messages);
        Assert.Contains("RET=HDRS", dsn.MailFrom, StringComparison.Ordinal);
        Assert.Contains("ENVID=id+201+2Bx", dsn.MailFrom, StringComparison.Ordinal);
        Assert.Contains("NOTIFY=SUCCESS,FAILURE", Assert.Single(dsn.Rcpts), StringComparison.Ordinal);
        var plain = Assert.Single(withoutDsn.Messages);
        Assert.DoesNotContain("RET=", plain.MailFrom, StringComparison.Ordinal);
        Assert.DoesNotContain("NOTIFY=", Assert.Single(plain.Rcpts), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RelaysThroughASmartHostWithAuth()
    {
        await using var relay = ScriptedSmtpPeer.Start("AUTH PLAIN");
        relay.RequiredLogin = "relayuser:s3cret";
        var options = Options(ClosedPort());
        options.SmartHosts["relayed.test"] = new SmartHostOptions { Host = "127.0.0.1", Port = relay.Port, UserName = "relayuser", Password = "s3cret" };
        await using var harness = new DeliveryHarness(options);

        var result = Assert.Single(await harness.Delivery.DeliverAsync(DeliveryHarness.Request("relayed.test", "a@sender.test", "b@relayed.test"), Token));

        Assert.Equal(RemoteDeliveryStatus.Delivered, result.Status);
        Assert.Equal("relayuser", Assert.Single(relay.Logins));
        Assert.Single(relay.Messages);
        Assert.Equal(0, harness.Dns.QueryCount("relayed.test", ARSoft.Tools.Net.Dns.RecordType.Mx));
    }

    [Fact]
    public async Task ASmartHostRefusingTheLoginIsATemporaryFailure()
    {
        await using var relay = ScriptedSmtpPeer.Start("AUTH PLAIN");
        relay.RequiredLogin = "relayuser:right";
        var options = Options(ClosedPort());
        options.SmartHost = new SmartHostOptions { Host = "127.0.0.1", Port = relay.Port, UserName = "relayuser", Password = "wrong" };
        await using var harness = new DeliveryHarness(options);

        var result = Assert.Single(await harness.Delivery.DeliverAsync(DeliveryHarness.Request("anywhere.test", "a@sender.test", "b@anywhere.test"), Token));

        Assert.Equal(RemoteDeliveryStatus.TemporaryFailure, result.Status);
        Assert.Empty(relay.Messages);
    }

    [Fact]
    public async Task SendsBouncesWithTheNullSender()
    {
        await using var peer = ScriptedSmtpPeer.Start();
        await using var harness = new DeliveryHarness(Options(peer.Port), dns => Mx(dns, "remote.test"));

        var result = Assert.Single(await harness.Delivery.DeliverAsync(DeliveryHarness.Request("remote.test", "", "b@remote.test"), Token));

        Assert.Equal(RemoteDeliveryStatus.Delivered, result.Status);
        Assert.StartsWith("MAIL FROM:<>", Assert.Single(peer.Messages).MailFrom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NeedsSmtpUtf8ForANonAsciiMailbox()
    {
        await using var utf8Peer = ScriptedSmtpPeer.Start("8BITMIME", "SMTPUTF8");
        await using var asciiPeer = ScriptedSmtpPeer.Start("8BITMIME");
        var recipients = new[] { new EnvelopeRecipient("jörg@remote.test") };
        var envelope = new MessageEnvelope { MailFrom = "a@sender.test", Recipients = recipients, Source = "smtp", SmtpUtf8 = true, Body = "8BITMIME" };
        var content = Encoding.UTF8.GetBytes("From: <a@sender.test>\r\nTo: <jörg@remote.test>\r\nSubject: utf8\r\n\r\nhi\r\n");
        var outcomes = new List<RemoteRecipientResult>();

        foreach (var peer in new[] { utf8Peer, asciiPeer })
        {
            await using var harness = new DeliveryHarness(Options(peer.Port), dns => Mx(dns, "remote.test"));
            outcomes.Add(Assert.Single(await harness.Delivery.DeliverAsync(DeliveryHarness.Request("remote.test", "a@sender.test", recipients, content, envelope), Token)));
        }

        Assert.Equal(RemoteDeliveryStatus.Delivered, outcomes[0].Status);
        Assert.Contains("SMTPUTF8", Assert.Single(utf8Peer.Messages).MailFrom, StringComparison.Ordinal);
        Assert.Equal(RemoteDeliveryStatus.PermanentFailure, outcomes[1].Status);
        Assert.Equal("5.6.7", outcomes[1].EnhancedCode);
        Assert.Empty(asciiPeer.Messages);
    }

    [Fact]
    public async Task ARefusedMessageGetsTheDataReplyForEveryAcceptedRecipient()
    {
        await using var peer = ScriptedSmtpPeer.Start();
        peer.DataReply = "554 5.7.1 content rejected";
        await using var harness = new DeliveryHarness(Options(peer.Port), dns => Mx(dns, "remote.test"));

        var results = await harness.Delivery.DeliverAsync(DeliveryHarness.Request("remote.test", "a@sender.test", "b@remote.test", "c@remote.test"), Token);

        Assert.All(results, r =>
        {
            Assert.Equal(RemoteDeliveryStatus.PermanentFailure, r.Status);
            Assert.Equal("5.7.1", r.EnhancedCode);
        });
    }

    private static X509Certificate2 SelfSigned(string host)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
