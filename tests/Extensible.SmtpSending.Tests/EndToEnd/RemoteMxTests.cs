using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Extensible.Testing;
using Extensible.Testing.Dns;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Extensible.SmtpSending.Tests.EndToEnd;

/// <summary>Two real servers: the sender resolves the remote's MX through a loopback DNS server and delivers to it over SMTP.</summary>
public sealed class RemoteMxTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DeliversSubmittedMailToASecondInstanceFoundThroughMx()
    {
        await using var dns = LoopbackDnsServer.Start();
        await using var remote = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Processing", "SmtpReceiving", "Pop3"],
            Configure = config =>
            {
                config["Server"]!["Name"] = "mx.remote.test";
                dns.Configure(config);
            },
        }, Token);
        var remotePort = remote.Port("smtp-receiving", "mx");
        await remote.AddUserAsync("bob@remote.test", "secret", Token);
        dns.AddMx("remote.test", 10, "mx.remote.test").AddAddress("mx.remote.test", "127.0.0.1");

        await using var sender = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Processing", "SmtpReceiving", "SmtpSending"],
            Configure = config =>
            {
                config["Server"]!["Name"] = "out.sender.test";
                dns.Configure(config);
                var options = TestServer.ServiceOptions(config, "smtp-sending");
                options["Port"] = remotePort;
                options["ConnectTimeoutSeconds"] = 5;
            },
        }, Token);

        // Ports are read once up front; the fixture caches the run file.
        var submissionPort = sender.Port("smtp-receiving", "submission");
        await sender.AddUserAsync("alice@example.test", "secret", Token);

        using (var client = new SmtpClient())
        {
            client.ServerCertificateValidationCallback = AcceptSelfSigned;
            await client.ConnectAsync("127.0.0.1", submissionPort, SecureSocketOptions.StartTlsWhenAvailable, Token);
            await client.AuthenticateAsync("alice@example.test", "secret", Token);
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse("alice@example.test"));
            message.To.Add(MailboxAddress.Parse("bob@remote.test"));
            message.Subject = "over the wire 0";
            message.Body = new TextPart("plain") { Text = "Grüße number 0" };
            await client.SendAsync(message, Token);
            await client.DisconnectAsync(true, Token);
        }

        // The second message comes from Python's smtplib, 8-bit as submitted (BODY=8BITMIME).
        await PythonSubmitAsync(submissionPort, "over the wire 1", "Grüße number 1");

        var received = await WaitForMessagesAsync(remote, "bob@remote.test", "secret", 2, TimeSpan.FromSeconds(60));

        Assert.Equal(["over the wire 0", "over the wire 1"], received.Select(m => m.Subject).Order());
        Assert.All(received, m => Assert.Contains("Grüße number", m.TextBody, StringComparison.Ordinal));

        // The sender took the remote's STARTTLS offer (opportunistic TLS, self-signed certificate accepted).
        Assert.All(received, m => Assert.Contains(m.Headers.Where(h => h.Id == HeaderId.Received).Select(h => h.Value), r => r.Contains("out.sender.test", StringComparison.OrdinalIgnoreCase) && r.Contains("ESMTPS", StringComparison.Ordinal)));
        Assert.True(dns.QueryCount("remote.test", ARSoft.Tools.Net.Dns.RecordType.Mx) >= 1);
    }

    [Fact]
    public async Task AnUnknownRemoteUserBouncesBackToTheSender()
    {
        await using var dns = LoopbackDnsServer.Start();
        await using var remote = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Processing", "SmtpReceiving"],
            Configure = config => dns.Configure(config),
        }, Token);
        var remotePort = remote.Port("smtp-receiving", "mx");
        await remote.AddDomainAsync("remote.test", Token);
        dns.AddMx("remote.test", 10, "mx.remote.test").AddAddress("mx.remote.test", "127.0.0.1");

        await using var sender = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Processing", "SmtpReceiving", "SmtpSending", "Pop3"],
            Configure = config =>
            {
                dns.Configure(config);
                TestServer.ServiceOptions(config, "smtp-sending")["Port"] = remotePort;
            },
        }, Token);

        // Ports are read once up front; the fixture caches the run file.
        var submissionPort = sender.Port("smtp-receiving", "submission");
        await sender.AddUserAsync("alice@example.test", "secret", Token);

        using (var client = new SmtpClient())
        {
            client.ServerCertificateValidationCallback = AcceptSelfSigned;
            await client.ConnectAsync("127.0.0.1", submissionPort, SecureSocketOptions.StartTlsWhenAvailable, Token);
            await client.AuthenticateAsync("alice@example.test", "secret", Token);
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse("alice@example.test"));
            message.To.Add(MailboxAddress.Parse("nobody@remote.test"));
            message.Subject = "to nobody";
            message.Body = new TextPart("plain") { Text = "hello?" };
            await client.SendAsync(message, Token);
            await client.DisconnectAsync(true, Token);
        }

        var bounce = Assert.Single(await WaitForMessagesAsync(sender, "alice@example.test", "secret", 1, TimeSpan.FromSeconds(60)));
        var report = bounce.BodyParts.OfType<MessageDeliveryStatus>().Single();
        var text = report.StatusGroups.SelectMany(g => g).Select(h => h.ToString()).ToList();
        Assert.Contains(text, h => h.Contains("nobody@remote.test", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(text, h => h.StartsWith("Status: 5.", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task PythonSubmitAsync(int port, string subject, string body)
    {
        const string script = """
            import smtplib, ssl, sys
            port, subject, body = int(sys.argv[1]), sys.argv[2], sys.argv[3]
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
                smtp.starttls(context=context)
                smtp.login("alice@example.test", "secret")
                message = ("From: alice@example.test\r\nTo: bob@remote.test\r\nSubject: " + subject +
                           "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n")
                smtp.sendmail("alice@example.test", ["bob@remote.test"], message.encode("utf-8"), mail_options=["BODY=8BITMIME"])
            """;
        var info = new System.Diagnostics.ProcessStartInfo("python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-c", script, port.ToString(System.Globalization.CultureInfo.InvariantCulture), subject, body })
        {
            info.ArgumentList.Add(argument);
        }

        using var python = System.Diagnostics.Process.Start(info)!;
        var error = python.StandardError.ReadToEndAsync(Token);
        await python.WaitForExitAsync(Token).WaitAsync(TimeSpan.FromSeconds(60), Token);
        Assert.True(python.ExitCode == 0, await error);
    }

    /// <summary>The test servers use generated self-signed certificates; only chain errors are forgiven.</summary>
    private static bool AcceptSelfSigned(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        (errors & ~(SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch)) == SslPolicyErrors.None;

    private static async Task<List<MimeMessage>> WaitForMessagesAsync(TestServer server, string user, string password, int count, TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token);
        deadline.CancelAfter(timeout);
        var port = server.Port("pop3", "pop3");
        for (var attempt = 0; attempt < 600; attempt++)
        {
            using (var pop = new Pop3Client())
            {
                await pop.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None, deadline.Token);
                await pop.AuthenticateAsync(user, password, deadline.Token);
                if (pop.Count >= count)
                {
                    var messages = new List<MimeMessage>();
                    for (var i = 0; i < pop.Count; i++)
                    {
                        messages.Add(await pop.GetMessageAsync(i, deadline.Token));
                    }

                    await pop.DisconnectAsync(true, deadline.Token);
                    return messages;
                }

                await pop.DisconnectAsync(true, deadline.Token);
            }

            await Task.Delay(200, deadline.Token);
        }

        throw new TimeoutException($"{user} did not receive {count} messages\n{server.LogTail()}");
    }
}
